"""Webhooks over real HTTP on loopback: signed events, retries, the delivery log, address rules."""

import hashlib
import hmac
import json
import time

import pytest

from claims import services
from claims.models import Appearance
from partners import services as partner_services
from partners.models import Webhook, WebhookDelivery
from partners.tasks import fan_out_event
from partners.tests.sweeping import sweep, sweep_after_the_backoff
from tests import factories
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


def verifying_receiver(secrets_by_path: dict, received: list, fail_first: int = 0):
    """A receiver that checks the signature the way the API documentation tells partners to, and
    answers 500 to its first `fail_first` requests."""

    def handle(request):
        body = request.server.bodies[-1]  # the loopback server has read the POST body
        timestamp = request.headers["X-Claimtrack-Timestamp"]
        expected = (
            "sha256="
            + hmac.new(
                secrets_by_path[request.path].encode(), timestamp.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
        )
        valid = hmac.compare_digest(expected, request.headers["X-Claimtrack-Signature"])
        fresh = abs(time.time() - int(timestamp)) < 300
        received.append({"valid": valid and fresh, "event": json.loads(body), "headers": dict(request.headers)})
        status = 500 if len(received) <= fail_first else (200 if valid and fresh else 401)
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handle


def register(client, url):
    response = client.post_json("/api/v1/webhooks/", {"url": url})
    assert response.status_code == 201, response.content
    return response.json()


def test_status_change_is_posted_signed_to_the_partner(
    receiver, loopback_allowed, django_capture_on_commit_callbacks, claim, editor
):
    client = key_client(factories.make_api_key("read")[1])
    received, secrets = [], {}
    url = receiver.add_handler("/hooks", verifying_receiver(secrets, received))
    webhook = register(client, url)
    secrets["/hooks"] = webhook["secret"]
    assert "secret" not in client.get(f"/api/v1/webhooks/{webhook['id']}/").json()  # shown once

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(claim=claim, to_status="false", rationale="Ministry denial", changed_by=editor)

    assert len(received) == 1
    assert received[0]["valid"]
    event = received[0]["event"]
    assert event["type"] == "claim.status_changed"
    assert event["claim"]["id"] == claim.pk
    assert (event["data"]["from_status"], event["data"]["to_status"]) == ("unverified", "false")
    assert received[0]["headers"]["X-Claimtrack-Event"] == "claim.status_changed"
    assert received[0]["headers"]["X-Claimtrack-Delivery"] == event["id"]
    deliveries = client.get(f"/api/v1/webhooks/{webhook['id']}/deliveries/").json()["results"]
    assert [(d["state"], [a["status_code"] for a in d["attempts"]]) for d in deliveries] == [("succeeded", [200])]


def test_verdict_publication_is_posted(receiver, loopback_allowed, django_capture_on_commit_callbacks, claim, editor):
    received, secrets = [], {}
    url = receiver.add_handler("/v", verifying_receiver(secrets, received))
    secrets["/v"] = register(key_client(factories.make_api_key("read")[1]), url)["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_verdict(claim=claim, rating_name="Mostly false", author=editor)
    assert [r["event"]["type"] for r in received] == ["claim.verdict_published"]
    assert received[0]["event"]["data"]["rating_name"] == "Mostly false"
    assert received[0]["valid"]


def test_a_tampered_body_fails_verification(claim):
    body = b'{"type":"claim.status_changed"}'
    signature = partner_services.sign(secret="s3cret", timestamp=1700000000, body=body)
    recomputed = "sha256=" + hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature == recomputed
    assert partner_services.sign(secret="s3cret", timestamp=1700000000, body=body + b" ") != signature
    assert partner_services.sign(secret="s3cret", timestamp=1700000001, body=body) != signature


def test_failing_receiver_gets_retries_until_it_answers(
    receiver, loopback_allowed, settings, django_capture_on_commit_callbacks, claim, editor
):
    settings.WEBHOOK_MAX_ATTEMPTS = 5
    client = key_client(factories.make_api_key("read")[1])
    received, secrets = [], {}
    url = receiver.add_handler("/flaky", verifying_receiver(secrets, received, fail_first=2))
    webhook = register(client, url)
    secrets["/flaky"] = webhook["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(claim=claim, to_status="disputed", rationale="Contested", changed_by=editor)
    assert len(received) == 1
    sweep_after_the_backoff(django_capture_on_commit_callbacks)
    sweep_after_the_backoff(django_capture_on_commit_callbacks)
    assert len(received) == 3
    assert len({r["event"]["id"] for r in received}) == 1  # the same event each time
    delivery = client.get(f"/api/v1/webhooks/{webhook['id']}/deliveries/").json()["results"][0]
    assert delivery["state"] == "succeeded"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 200]
    assert delivery["attempts"][0]["error"] == "The receiver answered 500."


def test_a_failed_post_is_retried_at_its_backoff_time_not_before(
    receiver, loopback_allowed, settings, django_capture_on_commit_callbacks, claim, editor
):
    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS = 60, 900
    received, secrets = [], {}
    url = receiver.add_handler("/flaky", verifying_receiver(secrets, received, fail_first=1))
    secrets["/flaky"] = register(key_client(factories.make_api_key("read")[1]), url)["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(claim=claim, to_status="disputed", rationale="Contested", changed_by=editor)
    delivery = WebhookDelivery.objects.get()
    first = delivery.attempts.get()
    assert (delivery.state, first.status_code) == ("pending", 500)
    wait = (delivery.next_attempt_at - first.attempted_at).total_seconds()
    assert 29 <= wait <= 60  # between half and all of the base wait after the first failure

    sweep(django_capture_on_commit_callbacks)  # before the backoff time: nothing is sent
    assert len(received) == 1
    assert partner_services.take_due_deliveries() == []

    sweep_after_the_backoff(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert len(received) == 2
    assert (delivery.state, delivery.attempt_count, delivery.next_attempt_at) == ("succeeded", 2, None)


def test_receiver_that_never_answers_well_is_given_up_after_the_last_attempt_and_no_longer_swept(
    receiver, loopback_allowed, settings, django_capture_on_commit_callbacks, claim, editor
):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    url = receiver.add("/down", b"", status=503)
    register(key_client(factories.make_api_key("read")[1]), url)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(claim=claim, to_status="disputed", rationale="Contested", changed_by=editor)
    for _ in range(3):
        sweep_after_the_backoff(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert receiver.hits["/down"] == 4
    assert (delivery.state, delivery.attempt_count, delivery.next_attempt_at) == ("failed", 4, None)
    assert list(delivery.attempts.values_list("status_code", flat=True)) == [503] * 4

    sweep_after_the_backoff(django_capture_on_commit_callbacks)
    assert receiver.hits["/down"] == 4
    assert WebhookDelivery.objects.get().state == "failed"


def test_backoff_grows_exponentially_is_capped_and_jittered(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_SECONDS = 3600
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (6, 960), (8, 3600), (30, 3600)]:
        delays = {partner_services.retry_delay(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempt, delays)
        assert len(delays) > 1  # jitter


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "ftp://93.184.215.14/hook",
    ],
)
def test_webhook_to_a_private_address_is_refused(settings, url):
    settings.FETCH_ALLOWED_NETWORKS = []
    client = key_client(factories.make_api_key("read")[1])
    response = client.post_json("/api/v1/webhooks/", {"url": url})
    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]


def test_private_address_is_allowed_only_by_the_setting(receiver, settings):
    client = key_client(factories.make_api_key("read")[1])
    url = receiver.add("/ok", b"")
    settings.FETCH_ALLOWED_NETWORKS = []
    assert client.post_json("/api/v1/webhooks/", {"url": url}).status_code == 400
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert client.post_json("/api/v1/webhooks/", {"url": url}).status_code == 201


def test_delivery_rechecks_the_address_when_it_is_sent(
    receiver, settings, django_capture_on_commit_callbacks, claim, editor
):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    register(key_client(factories.make_api_key("read")[1]), receiver.add("/later", b""))
    settings.FETCH_ALLOWED_NETWORKS = []
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(claim=claim, to_status="disputed", rationale="Contested", changed_by=editor)
    assert receiver.hits["/later"] == 0
    attempt = WebhookDelivery.objects.get().attempts.first()
    assert attempt.error.startswith("Refused:")
    assert "127.0.0.1" not in attempt.error  # the partner reads the log: it names no address


def test_fan_out_twice_creates_one_delivery_per_webhook_and_deactivated_webhooks_get_nothing(
    receiver, loopback_allowed, django_capture_on_commit_callbacks, claim, editor
):
    client = key_client(factories.make_api_key("read")[1])
    active = register(client, receiver.add("/active", b""))
    other = register(client, receiver.add("/other", b""))
    gone = register(client, receiver.add("/gone", b""))
    assert client.delete(f"/api/v1/webhooks/{gone['id']}/").status_code == 204
    assert client.get(f"/api/v1/webhooks/{gone['id']}/").json()["active"] is False
    change = services.change_status(claim=claim, to_status="disputed", rationale="Contested", changed_by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_event("claim.status_changed", change.pk)
        fan_out_event("claim.status_changed", change.pk)
    assert (receiver.hits["/active"], receiver.hits["/other"], receiver.hits["/gone"]) == (1, 1, 0)
    per_webhook = sorted(WebhookDelivery.objects.values_list("webhook_id", flat=True))
    assert per_webhook == [active["id"], other["id"]]


def test_partners_see_only_their_own_webhooks(db):
    mine = key_client(factories.make_api_key("read", partner=factories.make_partner("Mine"))[1])
    theirs = key_client(factories.make_api_key("read", partner=factories.make_partner("Theirs"))[1])
    webhook = register(mine, "https://93.184.215.14/hook")
    assert theirs.get(f"/api/v1/webhooks/{webhook['id']}/").status_code == 404
    assert theirs.get(f"/api/v1/webhooks/{webhook['id']}/deliveries/").status_code == 404
    assert theirs.get("/api/v1/webhooks/").json()["results"] == []


@pytest.mark.django_db(transaction=True)
def test_no_database_transaction_is_open_while_the_receiver_is_answering(receiver, loopback_allowed, claim, editor):
    # On SQLite a transaction open across the POST would block every other write for up to the
    # whole webhook timeout; on PostgreSQL it would hold a row lock over network I/O.
    from django.db import connections

    # This thread's connection object itself (django.db.connection would resolve in the receiver's thread).
    worker_connection, seen = connections["default"], []

    def handle(request):
        seen.append(worker_connection.in_atomic_block)
        request.send_response(200)
        request.send_header("Content-Length", "0")
        request.end_headers()

    webhook = partner_services.register_webhook(
        partner=factories.make_partner(), url=receiver.add_handler("/h", handle)
    )
    delivery = WebhookDelivery.objects.create(webhook=webhook, event_id="e1", event_type="t", payload={"n": 1})

    attempt = partner_services.attempt_delivery(delivery_id=delivery.pk, attempt_number=1)

    assert seen == [False]
    assert attempt.status_code == 200
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempt_count) == (WebhookDelivery.State.SUCCEEDED, 1)
    assert partner_services.attempt_delivery(delivery_id=delivery.pk, attempt_number=2) is None  # finished
    assert seen == [False]


def test_a_partner_has_at_most_the_configured_number_of_active_webhooks(settings):
    settings.WEBHOOK_MAX_PER_PARTNER = 2
    client = key_client(factories.make_api_key("read")[1])
    first = register(client, "https://93.184.215.14/one")
    register(client, "https://93.184.215.14/two")

    refused = client.post_json("/api/v1/webhooks/", {"url": "https://93.184.215.14/three"})

    assert refused.status_code == 400
    assert "deactivate one" in refused.json()["error"]["message"]
    assert Webhook.objects.count() == 2
    # Another partner has its own allowance; deactivating one frees a place.
    other_partner = factories.make_partner(name="Another newsroom")
    register(key_client(factories.make_api_key("read", partner=other_partner)[1]), "https://93.184.215.14/other")
    assert client.delete(f"/api/v1/webhooks/{first['id']}/").status_code == 204
    register(client, "https://93.184.215.14/three")


def test_a_webhook_on_another_port_is_refused_even_on_allowed_networks(receiver, settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_ANY_PORT_ON_ALLOWED_NETWORKS = False
    client = key_client(factories.make_api_key("read")[1])
    url = receiver.add("/hook", b"")
    for refused_url in (url, "https://93.184.215.14:8443/hook"):
        response = client.post_json("/api/v1/webhooks/", {"url": refused_url})
        assert response.status_code == 400, refused_url
        assert "port 80 or 443" in response.json()["error"]["fields"]["url"][0]
    assert not Webhook.objects.exists()
    settings.WEBHOOK_ANY_PORT_ON_ALLOWED_NETWORKS = True  # the explicit setting allows it
    register(client, url)


def test_a_webhook_whose_port_is_no_longer_allowed_is_not_posted_to(
    receiver, loopback_allowed, settings, django_capture_on_commit_callbacks, claim, editor
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    register(key_client(factories.make_api_key("read")[1]), receiver.add("/hook", b""))
    settings.WEBHOOK_ANY_PORT_ON_ALLOWED_NETWORKS = False
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(claim=claim, to_status="disputed", rationale="Contested", changed_by=editor)
    assert receiver.hits["/hook"] == 0
    assert WebhookDelivery.objects.get().attempts.get().error.startswith("Refused:")


def test_refusing_a_webhook_never_says_what_an_internal_host_name_resolves_to(settings):
    settings.FETCH_ALLOWED_NETWORKS = []
    client = key_client(factories.make_api_key("read")[1])
    response = client.post_json("/api/v1/webhooks/", {"url": "http://localhost/hook"})
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["url"][0]
    assert "may not receive webhooks" in message
    for resolved in ("127.0.0.1", "::1", "127."):
        assert resolved not in response.content.decode()
    assert not Webhook.objects.exists()


def test_an_accepted_story_change_is_posted_as_appearance_revised(
    receiver, loopback_allowed, django_capture_on_commit_callbacks, claim, editor
):
    client = key_client(factories.make_api_key("read")[1])
    received, secrets = [], {}
    webhook = register(client, receiver.add_handler("/hooks", verifying_receiver(secrets, received)))
    secrets["/hooks"] = webhook["secret"]
    source = factories.SourceFactory(name="Kurdistan 24")
    document = factories.DocumentFactory(source=source)
    old = factories.make_appearance(claim=claim, source=source, document=document, stance="asserts")
    revision = factories.DocumentRevisionFactory(document=document)
    story_change = services.record_appearance(
        claim=claim,
        source=source,
        document=document,
        stance="reports",
        recorded_by=None,
        origin=Appearance.Origin.REVISION,
        revision=revision,
        supersedes=old,
        passage_sha256="a" * 64,
    )
    assert received == []  # pending: nothing announced

    with django_capture_on_commit_callbacks(execute=True):
        services.accept_pending_appearance(appearance=story_change, reviewed_by=editor)

    [delivery] = received
    assert delivery["valid"] and delivery["headers"]["X-Claimtrack-Event"] == "appearance.revised"
    event = delivery["event"]
    assert event["id"] == f"appearance_revised-{story_change.pk}"
    assert event["claim"]["id"] == claim.pk
    assert (event["data"]["from_stance"], event["data"]["to_stance"]) == ("asserts", "reports")
    assert event["data"]["superseded"]["id"] == old.pk
    assert event["data"]["document"]["url"] == document.url
    listed = {a["id"]: a for a in client.get(f"/api/v1/appearances/?claim={claim.pk}").json()["results"]}
    assert listed[old.pk]["superseded"] and listed[old.pk]["superseded_at"]
    assert listed[story_change.pk]["supersedes"] == old.pk and not listed[story_change.pk]["superseded"]
    detail = client.get(f"/api/v1/claims/{claim.pk}/").json()
    assert (detail["stance_counts"]["asserts"], detail["stance_counts"]["reports"]) == (0, 1)
