"""Celery tasks of the claims app: thin wrappers that call a service with ids."""

from celery import shared_task

from outbox.services import enqueue_on_commit

from . import notifications, services


@shared_task(acks_late=True, ignore_result=True)
def refresh_stance_counts(claim_id: int) -> None:
    # A repair: the writing services recompute the counts in their own transaction, so nothing
    # queues this any more; it recomputes from scratch, so running it twice gives the same counts.
    services.recompute_stance_counts(claim_id=claim_id)


@shared_task(acks_late=True, ignore_result=True)
def match_document_revision(revision_id: int) -> None:
    # Pairs that already have an appearance are skipped, so a redelivered task suggests nothing twice.
    services.suggest_appearances_for_revision(revision_id=revision_id)


@shared_task(acks_late=True, ignore_result=True)
def recheck_appearances_of_revision(revision_id: int) -> None:
    # A passage is raised at most once per appearance, so a redelivered task raises nothing twice.
    services.suggest_story_changes_for_revision(revision_id=revision_id)


@shared_task(soft_time_limit=120, time_limit=150)
def refresh_stored_reports() -> None:
    """Run by beat: the reports too costly to compute per request, computed again."""
    from .reports import STORED_REPORTS

    for name in STORED_REPORTS:
        services.refresh_stored_report(name=name)


# Notifications (claims/notifications.py) -------------------------------------------------------


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=150)
def create_notifications(kind: str, target_ids: list[int]) -> None:
    # One task per event (or per revision's suggestions), whatever the number of followers; a
    # (recipient, kind, target) is notified once, so a redelivered task adds nothing.
    to_email = notifications.create_notifications(kind=kind, target_ids=target_ids)
    if to_email:
        enqueue_on_commit(send_notification_emails, to_email)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def send_notification_emails(notification_ids: list[int]) -> None:
    # Each notification is taken (marked sent) before its email goes: a repeat sends nothing.
    notifications.send_notification_emails(notification_ids=notification_ids)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def send_digest(user_id: int) -> None:
    notifications.send_digest(user_id=user_id)


@shared_task(soft_time_limit=60, time_limit=90)
def send_due_notification_emails() -> None:
    """Run by beat: queue the daily digests that are due, and try again immediate emails the mail
    server refused."""
    for user_id in notifications.due_digest_user_ids():
        enqueue_on_commit(send_digest, user_id)
    unsent = notifications.unsent_notification_ids()
    if unsent:
        enqueue_on_commit(send_notification_emails, unsent)
