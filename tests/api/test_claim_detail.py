"""GET /api/v1/claims/{id}/ is built from four plain SQL queries (claims.selectors.
published_claim_detail_row) because it is the API's hot path. These tests hold it to the ORM's
definition of what is published: ClaimDetailSerializer over selectors.published_claim_detail(),
on the same data, on whichever database the suite runs on (CI runs both)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from claims import selectors, services
from claims.api.serializers import ClaimDetailSerializer
from claims.models import ClaimStatus, Stance
from tests import factories
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


def orm_detail(claim_id: int, *, include_retracted: bool = False) -> dict:
    claim = selectors.published_claim_detail(include_retracted=include_retracted).get(pk=claim_id)
    request = APIRequestFactory().get("/")
    data = ClaimDetailSerializer(claim, context={"request": request}).data
    return json.loads(json.dumps(data))  # as a partner reads it


@pytest.fixture
def client(db):
    return key_client(factories.make_api_key("read")[1])


@pytest.fixture
def rich_claim(editor, journalist):
    """A claim with everything the detail shows, and everything it must not show."""
    now = timezone.now()
    claim = factories.make_claim(
        text="الشرطة الاتحادية انسحبت من كركوك",
        summary="Federal police withdrew from Kirkuk.",
        tags=["kirkuk", "Security", "كركوك"],
        places=["Kirkuk", "كركوك"],
        language="ar",
        created_by=journalist,
        first_seen_at=now - timedelta(days=2),
    )
    outlet = factories.SourceFactory(name="Rudaw")
    article = factories.DocumentFactory(
        source=outlet, title="Police leave Kirkuk", published_at=now - timedelta(days=2)
    )
    undated = factories.DocumentFactory(source=outlet, title="", published_at=None)
    ministry = factories.SourceFactory(name="Ministry of Defence", kind="official_body")
    factories.make_appearance(
        claim=claim, source=outlet, document=article, quote="Police withdrew.", seen_at=now - timedelta(days=2)
    )
    factories.make_appearance(claim=claim, source=outlet, document=undated, stance=Stance.REPORTS, seen_at=now)
    factories.make_appearance(
        claim=claim, source=ministry, stance=Stance.DENIES, quote="Fabricated.", seen_at=now - timedelta(days=1)
    )
    retracted = factories.make_appearance(claim=claim, source=factories.SourceFactory(), seen_at=now)
    services.retract_appearance(appearance=retracted, retracted_by=editor, reason="Wrong claim.")
    factories.make_suggestion(claim=claim, document=factories.DocumentFactory())  # pending: never shown
    rejected = factories.make_suggestion(claim=claim, document=factories.DocumentFactory())
    services.reject_pending_appearance(appearance=rejected, reviewed_by=journalist)
    services.change_status(claim=claim, to_status=ClaimStatus.UNDER_REVIEW, rationale="Checking.", changed_by=editor)
    services.change_status(claim=claim, to_status=ClaimStatus.FALSE, rationale="Ministry denial.", changed_by=editor)
    services.publish_verdict(claim=claim, rating_name="Unproven", author=editor, published_at=now - timedelta(hours=2))
    services.publish_verdict(claim=claim, rating_name="False", author=editor, summary="No withdrawal took place.")
    return claim


def test_claim_detail_is_what_the_orm_serializer_gives_for_a_claim_with_everything(client, rich_claim):
    response = client.get(f"/api/v1/claims/{rich_claim.pk}/")

    assert response.status_code == 200
    assert response.json() == orm_detail(rich_claim.pk)
    body = response.json()
    assert [a["source"]["name"] for a in body["appearances"]] == ["Rudaw", "Ministry of Defence", "Rudaw"]
    assert body["verdict"]["rating_name"] == "False"
    assert body["tags"] == sorted(["kirkuk", "security", "كركوك"])
    assert body["places"] == ["Kirkuk", "كركوك"]
    assert [c["to_status"] for c in body["status_history"]] == ["unverified", "under_review", "false"]


def test_claim_detail_with_retracted_appearances_is_what_the_orm_serializer_gives(client, rich_claim):
    response = client.get(f"/api/v1/claims/{rich_claim.pk}/?include_retracted=true")

    assert response.status_code == 200
    assert response.json() == orm_detail(rich_claim.pk, include_retracted=True)
    retracted = [a for a in response.json()["appearances"] if a["retracted"]]
    assert [a["retraction_reason"] for a in retracted] == ["Wrong claim."]


def test_claim_detail_of_a_bare_claim_is_what_the_orm_serializer_gives(client, journalist):
    claim = factories.make_claim(text="A claim nobody has spoken to yet", created_by=journalist)

    response = client.get(f"/api/v1/claims/{claim.pk}/")

    assert response.status_code == 200
    assert response.json() == orm_detail(claim.pk)
    assert response.json()["verdict"] is None and response.json()["appearances"] == []


def test_archived_claim_detail_says_it_is_archived(client, journalist):
    claim = factories.make_claim(text="An old claim", created_by=journalist)
    type(claim).objects.filter(pk=claim.pk).update(is_archived=True)

    response = client.get(f"/api/v1/claims/{claim.pk}/")

    assert response.json()["is_archived"] is True
    assert response.json() == orm_detail(claim.pk)


def test_verdicts_published_at_the_same_moment_resolve_to_the_later_one(client, rich_claim, editor):
    moment = timezone.now() + timedelta(minutes=1)
    services.publish_verdict(claim=rich_claim, rating_name="Mostly false", author=editor, published_at=moment)
    services.publish_verdict(claim=rich_claim, rating_name="True", author=editor, published_at=moment)

    response = client.get(f"/api/v1/claims/{rich_claim.pk}/")

    assert response.json()["verdict"]["rating_name"] == "True"
    assert response.json() == orm_detail(rich_claim.pk)


@pytest.mark.parametrize("claim_id", ["999999", "999999999999999999"])
def test_unknown_claim_is_a_json_404(client, claim_id):
    response = client.get(f"/api/v1/claims/{claim_id}/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_a_bad_include_retracted_value_is_a_400_and_changes_nothing(client, rich_claim):
    before = orm_detail(rich_claim.pk)

    response = client.get(f"/api/v1/claims/{rich_claim.pk}/?include_retracted=perhaps")

    assert response.status_code == 400
    assert "include_retracted" in json.dumps(response.json()["error"])
    assert orm_detail(rich_claim.pk) == before


def test_status_changes_at_the_same_moment_keep_the_order_they_were_made_in(client, rich_claim, editor):
    moment = timezone.now() + timedelta(minutes=5)
    services.change_status(
        claim=rich_claim, to_status=ClaimStatus.DISPUTED, rationale="First.", changed_by=editor, changed_at=moment
    )
    services.change_status(
        claim=rich_claim, to_status=ClaimStatus.FALSE, rationale="Second.", changed_by=editor, changed_at=moment
    )

    response = client.get(f"/api/v1/claims/{rich_claim.pk}/")

    assert [c["rationale"] for c in response.json()["status_history"]][-2:] == ["First.", "Second."]
    assert response.json() == orm_detail(rich_claim.pk)
