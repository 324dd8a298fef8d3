"""Celery tasks of webhooks: thin, take ids, safe to run twice."""

from celery import shared_task

from outbox.services import enqueue_on_commit

from . import events, services


@shared_task(acks_late=True, ignore_result=True)
def fan_out_event(event_type: str, object_id: int) -> None:
    event = events.build_event(event_type, object_id)
    if event is None:
        return
    for delivery_id in services.create_deliveries(event=event):
        enqueue_on_commit(deliver_webhook, delivery_id, 1)


@shared_task(soft_time_limit=60, time_limit=90)
def send_due_deliveries() -> None:
    """Run by beat: queue every delivery attempt that is due (retries, and attempts never sent)."""
    for delivery_id, attempt_number in services.take_due_deliveries():
        enqueue_on_commit(deliver_webhook, delivery_id, attempt_number)


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: int, attempt_number: int) -> None:
    # Only this numbered attempt is claimed: a redelivered message sends nothing, and a failed
    # attempt is retried by the sweep at its backoff time, not by this task.
    services.attempt_delivery(delivery_id=delivery_id, attempt_number=attempt_number)
