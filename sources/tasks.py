"""Ingestion tasks: thin wrappers over sources.ingestion, the code `manage.py ingest` runs too.

Every task takes ids, claims its row with a conditional UPDATE (so running it twice does the work
once) and has soft and hard time limits; with acks_late a task lost with its worker is delivered
again, and the periodic task re-queues work whose lease expired."""

from celery import shared_task
from django.conf import settings

from claimtrack.lib.backoff import backoff_seconds
from outbox.services import enqueue_on_commit

from . import ingestion
from .models import FeedEntry


def retry_countdown(retries: int) -> float:
    """Seconds before retrying a fetch that failed `retries + 1` times: capped exponential backoff,
    between half and all of base × 2^retries."""
    return backoff_seconds(retries, base=settings.INGEST_RETRY_BASE_SECONDS, cap=settings.INGEST_RETRY_CAP_SECONDS)


@shared_task(soft_time_limit=60, time_limit=90)
def enqueue_due_work():
    """Run by beat every minute: queue due feed polls, stale pending entries and due re-checks."""
    due = ingestion.take_due_work()
    for feed_id in due.feed_ids:
        enqueue_on_commit(poll_feed, feed_id)
    for entry_id in due.entry_ids:
        enqueue_on_commit(fetch_entry, entry_id)
    for document_id, check_number in due.rechecks:
        enqueue_on_commit(recheck_document, document_id, check_number)


@shared_task(soft_time_limit=120, time_limit=150)
def poll_feed(feed_id):
    # A failed poll is not retried here: the feed's own backoff schedules the next attempt.
    outcome = ingestion.poll_feed(feed_id=feed_id)
    for entry_id in outcome.pending_entry_ids:
        enqueue_on_commit(fetch_entry, entry_id)


@shared_task(bind=True, soft_time_limit=120, time_limit=150, max_retries=FeedEntry.MAX_ATTEMPTS)
def fetch_entry(self, entry_id):
    outcome = ingestion.fetch_entry(entry_id=entry_id)
    if outcome.retry and self.request.retries < self.max_retries:
        raise self.retry(countdown=retry_countdown(self.request.retries))


@shared_task(soft_time_limit=120, time_limit=150)
def recheck_document(document_id, check_number=None):
    # Transient failures of scheduled re-checks are rescheduled by the service itself.
    ingestion.recheck_document(document_id=document_id, check_number=check_number)


@shared_task(soft_time_limit=120, time_limit=150)
def take_snapshot(document_id, requested_by_id=None):
    # A journalist's "preserve this page now": a failed fetch is recorded on the document, never
    # raised; a request already answered is not fetched again.
    ingestion.take_requested_snapshot(document_id=document_id, requested_by_id=requested_by_id)
