"""Claims listens to what sources announces (sources/signals.py): each new document revision is
matched to the tracked claims by a Celery task queued through the outbox, once the revision's
transaction commits, and the accepted appearances of a rewritten document are re-checked by another
(story changes). Connected in ClaimsConfig.ready."""

from outbox.services import enqueue_on_commit


def queue_matching_of_new_revision(sender, *, revision_id: int, **kwargs) -> None:
    from .tasks import match_document_revision, recheck_appearances_of_revision

    enqueue_on_commit(match_document_revision, revision_id)
    enqueue_on_commit(recheck_appearances_of_revision, revision_id)


def touch_claims_citing_document(sender, *, change_id: int, **kwargs) -> None:
    from . import services

    services.touch_claims_citing(change_id=change_id)
