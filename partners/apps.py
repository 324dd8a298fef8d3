from django.apps import AppConfig


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = "Partners"

    def ready(self):
        # Registers the Api-Key scheme with drf-spectacular.
        from claimtrack.api import schema  # noqa: F401
