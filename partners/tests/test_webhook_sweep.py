"""Deliveries are rows: the beat sweep sends each one that is due, whatever happened to the task
that should have sent it, and never sends an attempt twice or before its time."""

from datetime import timedelta

import pytest
from django import db
from django.utils import timezone

from outbox.models import OutboxMessage
from partners import services as partner_services
from partners.models import WebhookDelivery
from partners.tasks import deliver_webhook, fan_out_event
from partners.tests.sweeping import sweep
from tests import factories

pytestmark = pytest.mark.django_db

A_MINUTE_AGO = timedelta(minutes=-1)


@pytest.fixture
def webhook(receiver, loopback_allowed):
    return partner_services.register_webhook(partner=factories.make_partner(), url=receiver.add("/hook", b""))


def pending_delivery(webhook, *, attempt_count=0, next_attempt_in=A_MINUTE_AGO, event_id="status_change-1"):
    return WebhookDelivery.objects.create(
        webhook=webhook,
        event_id=event_id,
        event_type="claim.status_changed",
        payload={"id": event_id},
        attempt_count=attempt_count,
        next_attempt_at=None if next_attempt_in is None else timezone.now() + next_attempt_in,
    )


@pytest.mark.parametrize("next_attempt_in", [A_MINUTE_AGO, None], ids=["past its time", "left by older code"])
def test_a_delivery_left_pending_is_sent_by_the_sweep(
    receiver, webhook, django_capture_on_commit_callbacks, next_attempt_in
):
    delivery = pending_delivery(webhook, next_attempt_in=next_attempt_in)
    sweep(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert receiver.hits["/hook"] == 1
    assert (delivery.state, delivery.attempt_count) == ("succeeded", 1)


def test_a_delivery_not_yet_due_is_left_alone(receiver, webhook, django_capture_on_commit_callbacks):
    pending_delivery(webhook, next_attempt_in=timedelta(minutes=5))
    sweep(django_capture_on_commit_callbacks)
    assert receiver.hits["/hook"] == 0


def test_the_sweep_run_twice_sends_once(receiver, webhook, django_capture_on_commit_callbacks):
    delivery = pending_delivery(webhook)
    # Two beats before any worker has run the first one's task: the second queues nothing.
    assert partner_services.take_due_deliveries() == [(delivery.pk, 1)]
    assert partner_services.take_due_deliveries() == []
    # And two sweeps whose tasks run at once.
    other = pending_delivery(webhook, event_id="verdict-1")
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)
    assert receiver.hits["/hook"] == 1
    assert WebhookDelivery.objects.get(pk=other.pk).state == "succeeded"


def test_a_duplicate_message_for_an_attempt_sends_nothing(receiver, webhook):
    delivery = pending_delivery(webhook)
    deliver_webhook(delivery.pk, 1)
    deliver_webhook(delivery.pk, 1)
    deliver_webhook(delivery.pk, 2)  # not due: the delivery succeeded
    assert receiver.hits["/hook"] == 1
    assert list(WebhookDelivery.objects.get(pk=delivery.pk).attempts.values_list("number", flat=True)) == [1]


def test_an_attempt_lost_with_its_worker_is_made_again_once_its_lease_is_over(
    receiver, webhook, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    # Attempt 1 was claimed (its lease is over) but its worker died before the POST was logged.
    delivery = pending_delivery(webhook, attempt_count=1)
    sweep(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert receiver.hits["/hook"] == 1
    assert (delivery.state, list(delivery.attempts.values_list("number", flat=True))) == ("succeeded", [2])


def test_a_delivery_whose_last_attempt_was_lost_is_failed_not_sent_again(
    receiver, webhook, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    delivery = pending_delivery(webhook, attempt_count=3)
    sweep(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert receiver.hits["/hook"] == 0
    assert (delivery.state, delivery.next_attempt_at) == ("failed", None)


@pytest.mark.django_db(transaction=True)  # the receiver's thread reads the committed row
def test_a_running_attempt_keeps_its_delivery_off_the_sweep(receiver, loopback_allowed, settings):
    # While attempt 1 waits for the receiver, the sweep must not queue attempt 2.
    taken_during_the_post = []

    def slow(request):
        try:
            taken_during_the_post.append(partner_services.take_due_deliveries())
        finally:
            db.connection.close()  # this thread's own connection
        request.send_response(200)
        request.send_header("Content-Length", "0")
        request.end_headers()

    webhook = partner_services.register_webhook(partner=factories.make_partner(), url=receiver.add_handler("/s", slow))
    delivery = pending_delivery(webhook)
    assert partner_services.attempt_delivery(delivery_id=delivery.pk, attempt_number=1).status_code == 200
    assert taken_during_the_post == [[]]


@pytest.mark.services
def test_a_delivery_whose_queueing_failed_while_the_broker_was_down_is_sent_by_the_sweep(
    own_redis, receiver, loopback_allowed, django_capture_on_commit_callbacks, claim, editor
):
    from claims import services

    webhook = partner_services.register_webhook(partner=factories.make_partner(), url=receiver.add("/hook", b""))
    change = services.change_status(claim=claim, to_status="disputed", rationale="Contested", changed_by=editor)
    own_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_event("claim.status_changed", change.pk)  # the fan-out task, run by a worker
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert (delivery.state, delivery.attempt_count, receiver.hits["/hook"]) == ("pending", 0, 0)
    assert OutboxMessage.objects.filter(task_name="partners.tasks.deliver_webhook", sent_at__isnull=True).exists()

    # Once the first attempt's lease is over, the sweep queues it again; the worker then sends it.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert partner_services.take_due_deliveries() == [(delivery.pk, 1)]
    deliver_webhook(delivery.pk, 1)
    delivery.refresh_from_db()
    assert (delivery.state, receiver.hits["/hook"]) == ("succeeded", 1)
