"""Celery tasks of webhooks: thin, take ids, safe to run twice."""

from celery import shared_task
from django.conf import settings

from . import events, services


@shared_task(acks_late=True, ignore_result=True)
def fan_out_event(event_type: str, object_id: int) -> None:
    event = events.build_event(event_type, object_id)
    if event is None:
        return
    for delivery_id in services.create_deliveries(event=event):
        deliver_webhook.delay(delivery_id)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> None:
    # attempt_delivery does nothing for a delivery that is no longer pending, so a redelivered
    # message never posts twice after success.
    retry_in = services.attempt_delivery(delivery_id=delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in, max_retries=settings.WEBHOOK_MAX_ATTEMPTS)
