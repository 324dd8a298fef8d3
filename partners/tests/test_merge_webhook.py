"""The `claim.merged` webhook: a merge of duplicate claims reaches partners signed, once."""

import pytest

from claims import services
from partners.events import CLAIM_MERGED, build_event
from partners.models import WebhookDelivery
from partners.tasks import fan_out_event
from partners.tests.test_webhooks import register, verifying_receiver
from tests import factories
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


def test_a_merge_is_posted_signed_to_the_partner_naming_the_duplicate_and_the_survivor(
    receiver, loopback_allowed, django_capture_on_commit_callbacks, journalist, editor
):
    survivor = factories.make_claim(text="The dam at Mosul burst", created_by=journalist)
    duplicate = factories.make_claim(text="Mosul dam has burst", created_by=journalist)
    received, secrets = [], {}
    url = receiver.add_handler("/merges", verifying_receiver(secrets, received))
    secrets["/merges"] = register(key_client(factories.make_api_key("read")[1]), url)["secret"]

    with django_capture_on_commit_callbacks(execute=True):
        merge = services.merge_claims(
            absorbed=duplicate.pk, into=survivor.pk, merged_by=editor, reason="J2 logged it twice (internal)"
        )

    assert len(received) == 1 and received[0]["valid"]
    event = received[0]["event"]
    assert received[0]["headers"]["X-Claimtrack-Event"] == "claim.merged"
    assert event["id"] == f"claim_merge-{merge.pk}" == received[0]["headers"]["X-Claimtrack-Delivery"]
    assert event["claim"]["id"] == duplicate.pk
    assert event["data"]["into"]["id"] == survivor.pk
    assert event["data"]["into"]["url"] == f"/api/v1/claims/{survivor.pk}/"
    assert event["data"]["merged_at"] == merge.merged_at.isoformat()
    # The reason is the newsroom's internal note: it never leaves.
    assert "internal" not in str(event)


def test_a_refused_merge_sends_nothing(django_capture_on_commit_callbacks, claim, editor):
    partner = factories.make_partner()
    from partners import services as partner_services

    partner_services.register_webhook(partner=partner, url="https://93.184.215.14/hooks/m")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.MergeRefused):
        services.merge_claims(absorbed=claim.pk, into=claim.pk, merged_by=editor, reason="Same")
    assert not WebhookDelivery.objects.exists()


def test_the_merge_fan_out_run_twice_makes_one_delivery(claim, editor):
    from partners import services as partner_services

    partner_services.register_webhook(partner=factories.make_partner(), url="https://93.184.215.14/hooks/m")
    other = factories.make_claim(text="Another wording of it")
    merge = services.merge_claims(absorbed=other.pk, into=claim.pk, merged_by=editor, reason="Same")
    fan_out_event(CLAIM_MERGED, merge.pk)
    fan_out_event(CLAIM_MERGED, merge.pk)
    assert WebhookDelivery.objects.filter(event_type="claim.merged").count() == 1
    assert build_event(CLAIM_MERGED, 10**9) is None
