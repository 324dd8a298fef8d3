from django.apps import AppConfig


class StanceConfig(AppConfig):
    """The stance classifier, its model files, training and evaluation. It knows texts, never claims:
    claims.matching hands it a document and candidate claim texts by id (see stance/reading.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "stance"
    verbose_name = "Stance classifier"
