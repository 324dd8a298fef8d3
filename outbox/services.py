"""Writing tasks to the outbox and sending them to the broker."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# The sweep leaves young rows alone: their after-commit send is probably still under way.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500


def enqueue_on_commit(task, *args, **kwargs) -> OutboxMessage:
    """Queue the task through the transactional outbox: recorded in the current transaction with
    the data it is about, sent to the broker once that commits (immediately outside one). A broker
    outage never fails the request that wrote the data; the sweep sends the work once the broker is
    back. Every app queues its Celery tasks this way."""
    message = OutboxMessage.objects.create(task_name=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: send(message.pk, task=task))
    return message


def send(message_id: int, *, task=None) -> bool:
    """Send one outbox message to the broker. Returns whether it was sent; on a broker failure the
    row stays unsent for the sweep."""
    from claimtrack.celery import app

    message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
    if message is None:
        return False
    task = task or app.tasks[message.task_name]
    try:
        task.apply_async(
            args=message.args,
            kwargs=message.kwargs,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.2},
        )
    except Exception as error:  # broker unreachable: keep the row for the sweep
        logger.warning("Outbox message %s (%s) not sent: %s", message.pk, message.task_name, error)
        OutboxMessage.objects.filter(pk=message.pk).update(
            send_attempts=message.send_attempts + 1, last_error=str(error)[:2000]
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), send_attempts=message.send_attempts + 1)
    return True


def sweep(*, older_than: timedelta = SWEEP_GRACE) -> int:
    """Send every unsent message older than the grace period. Returns how many were sent."""
    cutoff = timezone.now() - older_than
    pending = OutboxMessage.objects.filter(sent_at__isnull=True, created_at__lte=cutoff).order_by("created_at", "id")
    sent = 0
    for message_id in pending.values_list("pk", flat=True)[:SWEEP_BATCH]:
        if not send(message_id):
            break  # the broker is still down: try again at the next sweep
        sent += 1
    return sent


def prune_sent(*, older_than: timedelta = timedelta(days=7)) -> int:
    deleted, _ = OutboxMessage.objects.filter(sent_at__lte=timezone.now() - older_than).delete()
    return deleted
