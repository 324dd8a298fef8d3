"""Redis stopped: the newsroom pages and the API still read and write, and the work they queue
(webhooks, matching) is delivered once Redis is back."""

from datetime import timedelta

import pytest
from django.test import Client

from claims.models import Appearance, Claim, ClaimStatus
from outbox import services as outbox
from outbox.models import OutboxMessage
from partners.models import Webhook, WebhookDelivery
from tests import factories
from tests.api.conftest import key_client
from tests.celery_broker import wait_for, worker_process

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.once]

HOOK = "https://partner.example.org/hook"


def test_pages_and_api_keep_working_while_redis_is_down_and_the_queued_work_follows(own_redis):
    journalist, editor = factories.JournalistFactory(), factories.EditorFactory()
    claim = factories.make_claim(created_by=journalist)
    source = factories.SourceFactory(name="Rudaw")
    _api_key, plain = factories.make_api_key("write")
    Webhook.objects.create(partner=_api_key.partner, url=HOOK, secret="s" * 32)
    own_redis.stop()

    newsroom = Client()
    newsroom.force_login(journalist)
    assert "Federal police" in newsroom.get("/claims/").content.decode()  # reading
    response = newsroom.post(
        f"/claims/{claim.pk}/appearances/new/",
        {"source": source.pk, "stance": "asserts", "quote": "They left on Friday.", "document_kind": "article"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]

    editor_session = Client()
    editor_session.force_login(editor)
    response = editor_session.post(
        f"/claims/{claim.pk}/status/",
        {
            "to_status": ClaimStatus.DISPUTED,
            "rationale": "Ministry denies it.",
            "expected_status": ClaimStatus.UNVERIFIED,
        },
    )
    assert response.status_code == 302

    partner = key_client(plain)
    assert partner.get(f"/api/v1/claims/{claim.pk}/").status_code == 200
    created = partner.post_json("/api/v1/claims/", {"text": "A second claim sent while Redis was down"})
    assert created.status_code == 201, created.content

    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.DISPUTED
    assert Appearance.objects.filter(claim=claim, quote="They left on Friday.").exists()
    assert Claim.objects.get(pk=claim.pk).asserts_count == 1  # computed as it was written, no worker needed
    unsent = set(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("task_name", flat=True))
    assert any(name.startswith("partners.") for name in unsent), unsent

    own_redis.start()
    with worker_process({"REDIS_URL": own_redis.url}):
        assert outbox.sweep(older_than=timedelta(0)) >= len(unsent)
        # The status change's webhook event was fanned out to the partner's webhook.
        assert wait_for(lambda: WebhookDelivery.objects.filter(webhook__url=HOOK).exists(), timeout=30)
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
