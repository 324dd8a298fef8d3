"""Celery tasks of the claims app: thin wrappers that call a service with ids."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def refresh_stance_counts(claim_id: int) -> None:
    # A repair: the writing services recompute the counts in their own transaction, so nothing
    # queues this any more; it recomputes from scratch, so running it twice gives the same counts.
    services.recompute_stance_counts(claim_id=claim_id)


@shared_task(acks_late=True, ignore_result=True)
def match_document_revision(revision_id: int) -> None:
    # Pairs that already have an appearance are skipped, so a redelivered task suggests nothing twice.
    services.suggest_appearances_for_revision(revision_id=revision_id)
