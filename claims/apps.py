from django.apps import AppConfig
from django.db.models.signals import post_migrate

from sources.signals import availability_changed, revision_recorded


def _ensure_claim_search(sender, using, **kwargs):
    from django.db import connections

    from .search import ensure_sqlite_search

    if connections[using].vendor == "sqlite":
        ensure_sqlite_search(connections[using])


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Claims"

    def ready(self):
        # SQLite's full-text table and triggers are (re)made after every migrate: see claims/search.py.
        post_migrate.connect(_ensure_claim_search, sender=self, dispatch_uid="claims-search-index")
        from . import receivers

        # Every new document revision is matched to the tracked claims.
        revision_recorded.connect(receivers.queue_matching_of_new_revision, dispatch_uid="claims-match-new-revision")
        # A page removed or moved is news on the timelines of the claims citing it.
        availability_changed.connect(
            receivers.touch_claims_citing_document, dispatch_uid="claims-document-availability"
        )
