"""Running the webhook sweep in tests, as beat would."""

from datetime import timedelta

from django.utils import timezone

from partners.models import WebhookDelivery
from partners.tasks import send_due_deliveries


def sweep(capture_on_commit_callbacks) -> None:
    """One beat of the sweep; the attempts it queues run (eager Celery) once it commits."""
    with capture_on_commit_callbacks(execute=True):
        send_due_deliveries()


def sweep_after_the_backoff(capture_on_commit_callbacks) -> None:
    """The sweep once every pending delivery's next attempt has come due."""
    WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    sweep(capture_on_commit_callbacks)
