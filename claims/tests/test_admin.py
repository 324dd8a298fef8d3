"""The admin writes claims only through the services, and shows everything else read-only."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from claims import services
from claims.models import Appearance, Claim, ClaimStatus, Stance, StatusChange
from tests import factories

pytestmark = pytest.mark.django_db

NO_STATUS_CHANGES_POSTED = {"status_changes-TOTAL_FORMS": "0", "status_changes-INITIAL_FORMS": "0"}
NOT_PLACE_LISTS = ["5", '{"city": "Kirkuk"}', '["Kirkuk", 5]']


# A day that is always in the accepted range of seen times, whenever the tests run.
TWO_DAYS_AGO = (timezone.now() - timedelta(days=2)).strftime("%Y-%m-%d")


def claim_change_data(claim, **changes):
    data = {
        "text": claim.text,
        "slug": claim.slug,
        "summary": claim.summary,
        "places": "\n".join(claim.places),
        "language": claim.language,
        "first_seen_at_0": claim.first_seen_at.strftime("%Y-%m-%d"),
        "first_seen_at_1": claim.first_seen_at.strftime("%H:%M:%S"),
        "tag_names": ", ".join(claim.tags.values_list("name", flat=True)),
        **NO_STATUS_CHANGES_POSTED,
    }
    return {**data, **changes}


def test_adding_a_claim_in_the_admin_logs_it_like_the_newsroom_does(admin_client, admin_user):
    response = admin_client.post(
        "/admin/claims/claim/add/",
        {
            "text": "  Federal police withdrew from Kirkuk  ",
            "summary": "",
            "places": "Kirkuk\n\n  Iraq ",
            "tag_names": "Security, kirkuk",
            "language": "en",
            "first_seen_at_0": TWO_DAYS_AGO,
            "first_seen_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = Claim.objects.get()
    assert (claim.text, claim.places, claim.created_by) == (
        "Federal police withdrew from Kirkuk",
        ["Kirkuk", "Iraq"],
        admin_user,
    )
    assert sorted(claim.tags.values_list("name", flat=True)) == ["kirkuk", "security"]
    first = StatusChange.objects.get(claim=claim)
    assert (first.from_status, first.to_status, first.rationale) == (
        "",
        ClaimStatus.UNVERIFIED,
        services.INITIAL_RATIONALE,
    )
    assert first.changed_at == claim.first_seen_at
    assert claim.slug == "federal-police-withdrew-from-kirkuk"


@pytest.mark.parametrize("places", NOT_PLACE_LISTS)
def test_adding_a_claim_with_places_that_are_not_names_is_a_form_error(admin_client, places):
    response = admin_client.post(
        "/admin/claims/claim/add/",
        {"text": "A claim", "places": places, "first_seen_at_0": TWO_DAYS_AGO, "first_seen_at_1": "10:00:00"},
    )
    assert response.status_code == 200
    assert "not a place name" in " ".join(response.context["adminform"].form.errors["places"])
    assert not Claim.objects.exists()


@pytest.mark.parametrize("places", NOT_PLACE_LISTS)
def test_editing_places_that_are_not_names_is_a_form_error_and_the_claim_is_unchanged(admin_client, places):
    claim = factories.make_claim(places=["Kirkuk"])
    response = admin_client.post(f"/admin/claims/claim/{claim.pk}/change/", claim_change_data(claim, places=places))
    assert response.status_code == 200
    assert "places" in response.context["adminform"].form.errors
    claim.refresh_from_db()
    assert claim.places == ["Kirkuk"]


def test_editing_a_claim_in_the_admin_stores_places_as_names_and_tags_through_set_tags(admin_client):
    claim = factories.make_claim(places=["Kirkuk"], tags=["old"])
    page = admin_client.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    assert ">\nKirkuk</textarea>" in page and 'value="old"' in page
    response = admin_client.post(
        f"/admin/claims/claim/{claim.pk}/change/",
        claim_change_data(claim, places="Kirkuk\nErbil, Kurdistan Region", tag_names="Security,  KIRKUK"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    claim.refresh_from_db()
    assert claim.places == ["Kirkuk", "Erbil, Kurdistan Region"]
    assert sorted(claim.tags.values_list("name", flat=True)) == ["kirkuk", "security"]
    assert claim.status == ClaimStatus.UNVERIFIED


@pytest.mark.parametrize("places", [5, {"city": "Kirkuk"}, {}, "Kirkuk", ["Kirkuk", 5], None])
def test_the_service_refuses_places_that_are_not_a_list_of_names(journalist, places):
    with pytest.raises(ValidationError) as error:
        services.create_claim(text="A claim", created_by=journalist, places=places)
    assert "places" in error.value.message_dict
    assert not Claim.objects.exists()


@pytest.mark.parametrize("places", [5, {"city": "Kirkuk"}, ["Kirkuk", 5], ["Kirkuk", " "]])
def test_model_validation_refuses_places_that_are_not_a_list_of_names(places):
    with pytest.raises(ValidationError) as error:
        Claim(text="A claim", slug="a-claim", places=places).full_clean()
    assert "places" in error.value.message_dict


@pytest.mark.parametrize("places", [5, "Kirkuk", {"city": "Kirkuk"}, ["Kirkuk", ""], [["Kirkuk"]]])
def test_the_api_refuses_places_that_are_not_a_list_of_names(places):
    _key, plain = factories.make_api_key("write")
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    response = client.post("/api/v1/claims/", {"text": "A claim", "places": places}, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert any(field.split(".")[0] == "places" for field in response.json()["error"]["fields"])
    assert not Claim.objects.exists()


def test_the_appearance_change_form_cannot_change_what_the_services_own(admin_client, claim):
    partner = factories.make_partner()
    appearance = services.record_appearance(
        claim=claim,
        source=factories.SourceFactory(),
        stance=Stance.ASSERTS,
        recorded_by=None,
        origin=Appearance.Origin.PARTNER,
        review_state=Appearance.ReviewState.REJECTED,
        submitted_by_partner=partner,
    )
    other_claim = factories.make_claim(text="Another claim")
    other_source = factories.SourceFactory()
    response = admin_client.post(
        f"/admin/claims/appearance/{appearance.pk}/change/",
        {
            "claim": other_claim.pk,
            "source": other_source.pk,
            "stance": Stance.DENIES,
            "origin": Appearance.Origin.MANUAL,
            "review_state": Appearance.ReviewState.ACCEPTED,
            "submitted_by_partner": "",
            "quote": "Corrected wording",
            "seen_at_0": appearance.seen_at.strftime("%Y-%m-%d"),
            "seen_at_1": appearance.seen_at.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = Appearance.objects.get(pk=appearance.pk)
    assert (stored.claim_id, stored.source_id, stored.stance, stored.origin, stored.review_state) == (
        claim.pk,
        appearance.source_id,
        Stance.ASSERTS,
        Appearance.Origin.PARTNER,
        Appearance.ReviewState.REJECTED,
    )
    assert stored.submitted_by_partner == partner
    assert stored.quote == "Corrected wording"
    assert admin_client.get("/admin/claims/appearance/add/").status_code == 403


def test_status_changes_verdicts_evidence_proposals_and_tags_are_read_only(admin_client, claim, editor):
    services.change_status(claim=claim, to_status=ClaimStatus.DISPUTED, rationale="Denied", changed_by=editor)
    services.publish_verdict(claim=claim, rating_name="False", author=editor)
    for model in ["statuschange", "verdict", "statusproposal", "evidence", "tag"]:
        assert admin_client.get(f"/admin/claims/{model}/").status_code == 200
        assert admin_client.get(f"/admin/claims/{model}/add/").status_code == 403
    change = StatusChange.objects.filter(claim=claim).last()
    page = admin_client.get(f"/admin/claims/statuschange/{change.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("model", ["historicalclaim", "historicalappearance", "historicalstatuschange"])
def test_the_claims_audit_trail_is_shown_read_only(admin_client, claim, model):
    factories.make_appearance(claim=claim)
    assert admin_client.get(f"/admin/claims/{model}/").status_code == 200
    history_model = {
        "historicalclaim": Claim,
        "historicalappearance": Appearance,
        "historicalstatuschange": StatusChange,
    }[model].history.model
    record = history_model.objects.first()
    page = admin_client.get(f"/admin/claims/{model}/{record.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.get(f"/admin/claims/{model}/add/").status_code == 403


def test_the_retract_action_retracts_through_the_service_with_the_reason(admin_client, admin_user, claim):
    appearance = factories.make_appearance(claim=claim)
    changelist = "/admin/claims/appearance/"
    selected = {"action": "retract_selected", "_selected_action": [appearance.pk]}

    admin_client.post(changelist, {**selected, "reason": "  "})
    appearance.refresh_from_db()
    assert appearance.retracted_at is None  # the service refuses a retraction without a reason

    response = admin_client.post(changelist, {**selected, "reason": "Wrong source"}, follow=True)
    assert "Retracted: 1." in response.content.decode()
    appearance.refresh_from_db()
    assert (appearance.retraction_reason, appearance.retracted_by) == ("Wrong source", admin_user)
    assert appearance.retracted_at is not None


def test_the_retract_action_retracts_evidence_through_the_service(admin_client, admin_user, claim, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence = services.attach_evidence(
        content=factories.PNG_BYTES, content_type="image/png", uploaded_by=admin_user, claim=claim
    )
    admin_client.post(
        "/admin/claims/evidence/",
        {"action": "retract_selected", "_selected_action": [evidence.pk], "reason": "Doctored photo"},
    )
    evidence.refresh_from_db()
    assert (evidence.retraction_reason, evidence.retracted_by) == ("Doctored photo", admin_user)


def test_the_retract_action_lets_a_staff_journalist_retract_only_what_they_recorded(client, journalist):
    journalist.is_staff = True
    journalist.save(update_fields=["is_staff"])
    client.force_login(journalist)
    own = factories.make_appearance(recorded_by=journalist)
    others = factories.make_appearance(recorded_by=factories.JournalistFactory(username="other"))
    response = client.post(
        "/admin/claims/appearance/",
        {"action": "retract_selected", "_selected_action": [own.pk, others.pk], "reason": "Duplicate"},
        follow=True,
    )
    assert "only its recorder or an editor may retract it" in response.content.decode()
    own.refresh_from_db()
    others.refresh_from_db()
    assert own.retraction_reason == "Duplicate"
    assert others.retracted_at is None


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_first_seen_time_out_of_range_is_a_form_error_in_the_admin_and_nothing_changes(admin_client, claim, day):
    before = claim.first_seen_at
    response = admin_client.post(
        f"/admin/claims/claim/{claim.pk}/change/", claim_change_data(claim, first_seen_at_0=day)
    )
    assert response.status_code == 200  # the form again, with the error
    assert "Enter a time" in response.content.decode()
    claim.refresh_from_db()
    assert claim.first_seen_at == before
