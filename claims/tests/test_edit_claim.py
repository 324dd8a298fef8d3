"""Editing a claim: services.update_claim, the edit page, the admin, and everything that follows
the claim's text (timeline, search, matching candidates, the API, ClaimReview, the public page)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import search, selectors, services
from claims.models import Claim, ClaimEdit, Stance
from tests import factories
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db

OLD = "Federal police withdrew from Kirkuk"
NEW = "Federal police withdrew from Kirkuk airport overnight"


def newsroom_time(moment):
    """A time as the pages show it: in the newsroom's zone."""
    return timezone.localtime(moment, ZoneInfo(settings.NEWSROOM_TIME_ZONE))


def read_client():
    return key_client(factories.make_api_key("read")[1])


def edit_form(claim, **changes):
    """The edit page's form as drawn for the claim, with `changes`."""
    shown = newsroom_time(claim.first_seen_at).strftime("%Y-%m-%dT%H:%M")
    data = {
        "text": claim.text,
        "summary": claim.summary,
        "tags": ", ".join(claim.tags.values_list("name", flat=True)),
        "places": "\n".join(claim.places),
        "language": claim.language,
        "first_seen_at": shown,
        "submission_token": "token-1",
    }
    return {**data, **changes}


def snapshot(claim_id):
    claim = Claim.objects.get(pk=claim_id)
    return (
        claim.text,
        claim.summary,
        claim.places,
        claim.language,
        claim.first_seen_at,
        claim.updated_at,
        claim.last_activity_at,
        sorted(claim.tags.values_list("name", flat=True)),
        ClaimEdit.objects.filter(claim_id=claim_id).count(),
    )


# The service ------------------------------------------------------------------------------------


def test_editing_the_text_changes_it_and_records_old_and_new_in_a_claim_edit(claim, journalist):
    before = Claim.objects.get(pk=claim.pk)
    edit = services.update_claim(claim_id=claim.pk, edited_by=journalist, text=f"  {NEW} ")
    claim.refresh_from_db()
    assert claim.text == NEW
    assert edit.changes == {"text": [OLD, NEW]}
    assert edit.edited_by == journalist
    assert claim.updated_at == edit.edited_at > before.updated_at
    assert claim.last_activity_at == edit.edited_at


def test_only_the_fields_given_change_and_each_is_recorded_old_and_new(journalist):
    claim = factories.make_claim(
        text=OLD, summary="Seen on Telegram.", tags=["kirkuk"], places=["Kirkuk"], language="en", created_by=journalist
    )
    first_seen, old_first_seen = datetime(2026, 1, 2, 9, 30, tzinfo=UTC), claim.first_seen_at
    edit = services.update_claim(
        claim_id=claim.pk,
        edited_by=journalist,
        summary="Seen on Telegram and X.",
        tags=["Security", "kirkuk"],
        places=["Kirkuk", "Erbil, Kurdistan Region"],
        first_seen_at=first_seen,
    )
    claim.refresh_from_db()
    assert (claim.text, claim.language) == (OLD, "en")
    assert edit.changes == {
        "summary": ["Seen on Telegram.", "Seen on Telegram and X."],
        "tags": [["kirkuk"], ["kirkuk", "security"]],
        "places": [["Kirkuk"], ["Kirkuk", "Erbil, Kurdistan Region"]],
        "first_seen_at": [old_first_seen.isoformat(), first_seen.isoformat()],
    }
    assert claim.first_seen_at == first_seen
    assert sorted(claim.tags.values_list("name", flat=True)) == ["kirkuk", "security"]


def test_an_edit_that_changes_nothing_writes_nothing(claim, journalist):
    factories.make_appearance(claim=claim)
    before = snapshot(claim.pk)
    version = Claim.objects.get(pk=claim.pk).timeline_version
    assert services.update_claim(claim_id=claim.pk, edited_by=journalist, text=f" {OLD}\n", tags=[], places=[]) is None
    assert snapshot(claim.pk) == before
    assert Claim.objects.get(pk=claim.pk).timeline_version == version


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n "}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"summary": "y" * 5001}, "summary"),
        ({"places": ['["Kirkuk"]']}, "places"),
        ({"places": "Kirkuk"}, "places"),
        ({"places": ["Kirkuk"] * 21}, "places"),
        ({"language": "a-language-code-too-long"}, "language"),
        ({"first_seen_at": datetime(1, 1, 1, tzinfo=UTC)}, "first_seen_at"),
        ({"first_seen_at": datetime(9999, 12, 31, tzinfo=UTC)}, "first_seen_at"),
        ({"tags": "security"}, "tags"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_changes(claim, journalist, changes, field):
    before = snapshot(claim.pk)
    with pytest.raises(ValidationError) as refused:
        services.update_claim(claim_id=claim.pk, edited_by=journalist, **{"text": NEW, **changes})
    assert field in refused.value.message_dict
    assert snapshot(claim.pk) == before


def test_a_claim_merged_away_is_not_edited(claim, journalist):
    survivor = factories.make_claim(text="Police left Kirkuk")
    Claim.objects.filter(pk=claim.pk).update(merged_into=survivor)  # as merge_claims leaves it
    before = snapshot(claim.pk)
    with pytest.raises(services.MergedAway) as refused:
        services.update_claim(claim_id=claim.pk, edited_by=journalist, text=NEW)
    assert f"merged into claim {survivor.pk}" in refused.value.messages[0]
    assert snapshot(claim.pk) == before


def test_the_same_submission_key_edits_once(claim, journalist):
    services.update_claim(claim_id=claim.pk, edited_by=journalist, text=NEW, submission_key="k" * 64)
    with pytest.raises(services.AlreadySubmitted):
        services.update_claim(claim_id=claim.pk, edited_by=journalist, text="Something else", submission_key="k" * 64)
    claim.refresh_from_db()
    assert claim.text == NEW
    assert ClaimEdit.objects.filter(claim=claim).count() == 1


# What follows the new text ----------------------------------------------------------------------


def test_a_reworded_claim_shows_on_its_timeline_with_old_and_new_wording(as_journalist, claim, journalist):
    services.update_claim(claim_id=claim.pk, edited_by=journalist, text=NEW, summary="From a Telegram channel.")
    events = [e for e in selectors.claim_timeline(claim) if e.kind == "edit"]
    assert len(events) == 1 and events[0].item.reworded == [OLD, NEW]
    html = as_journalist.get(claim.get_absolute_url()).content.decode()
    assert "Reworded" in html
    assert f'<del dir="auto">{OLD}</del>' in html and f'<ins dir="auto">{NEW}</ins>' in html
    assert "also edited: summary" in html


def test_an_edit_of_other_fields_shows_as_edited_with_their_names(as_journalist, claim, journalist):
    services.update_claim(claim_id=claim.pk, edited_by=journalist, summary="From Telegram.", tags=["security"])
    html = as_journalist.get(claim.get_absolute_url()).content.decode()
    assert "Reworded" not in html
    assert "Edited</span>: summary, tags" in html


def test_search_finds_the_new_text_and_not_the_old(claim, journalist):
    services.update_claim(claim_id=claim.pk, edited_by=journalist, text="Airport closed in Sulaymaniyah")
    found = selectors.search_claims(Claim.objects.all(), "Sulaymaniyah")
    assert list(found) == [Claim.objects.get(pk=claim.pk)]
    assert not selectors.search_claims(Claim.objects.all(), "withdrew").exists()


def test_matching_candidates_follow_the_new_text(claim, journalist):
    assert search.candidate_claim_ids(["withdrew", "kirkuk"], limit=5) == [claim.pk]
    services.update_claim(claim_id=claim.pk, edited_by=journalist, text="Airport closed in Sulaymaniyah")
    assert search.candidate_claim_ids(["withdrew"], limit=5) == []
    assert search.candidate_claim_ids(["airport", "sulaymaniyah"], limit=5) == [claim.pk]


def test_the_api_shows_updated_at_and_updated_since_catches_an_edit(journalist):
    claim = factories.make_claim(text=OLD, first_seen_at=timezone.now() - timedelta(days=2), created_by=journalist)
    client = read_client()
    since = timezone.now().isoformat().replace("+00:00", "Z")
    assert client.get("/api/v1/claims/", {"updated_since": since}).json()["results"] == []
    edit = services.update_claim(claim_id=claim.pk, edited_by=journalist, text=NEW)
    listed = client.get("/api/v1/claims/", {"updated_since": since}).json()["results"]
    assert [(row["id"], row["text"]) for row in listed] == [(claim.pk, NEW)]
    assert listed[0]["updated_at"] == edit.edited_at.isoformat().replace("+00:00", "Z")
    detail = client.get(f"/api/v1/claims/{claim.pk}/").json()
    assert detail["updated_at"] == listed[0]["updated_at"] and detail["text"] == NEW
    timeline = client.get(f"/api/v1/claims/{claim.pk}/timeline/").json()
    edits = [event["edit"] for event in timeline if event["kind"] == "edit"]
    assert edits == [{"id": edit.pk, "fields": ["text"], "changes": {"text": [OLD, NEW]}}]


@pytest.fixture
def ruled(claim, editor):
    factories.make_appearance(claim=claim, stance=Stance.ASSERTS)
    verdict = services.publish_verdict(claim=claim, rating_name="False", author=editor)
    return claim, verdict


def test_claimreview_reviews_the_new_text(ruled, journalist):
    claim, _verdict = ruled
    services.update_claim(claim_id=claim.pk, edited_by=journalist, text=NEW)
    review = read_client().get(f"/api/v1/claims/{claim.pk}/claimreview/").json()
    assert review["claimReviewed"] == NEW


def test_the_public_page_marks_a_claim_edited_after_its_verdict_as_updated(ruled, journalist):
    claim, _verdict = ruled
    page = Client().get(reverse("claims:fact-check", args=[claim.pk])).content.decode()
    assert OLD in page and 'id="claim-updated"' not in page
    edit = services.update_claim(claim_id=claim.pk, edited_by=journalist, text=NEW)
    page = Client().get(reverse("claims:fact-check", args=[claim.pk])).content.decode()
    assert NEW in page and 'id="claim-updated"' in page
    assert newsroom_time(edit.edited_at).strftime("%Y-%m-%d %H:%M") in page
    assert journalist.get_username() not in page


def test_a_verdict_published_after_the_edit_clears_the_updated_mark(ruled, journalist, editor):
    claim, _verdict = ruled
    services.update_claim(claim_id=claim.pk, edited_by=journalist, text=NEW)
    services.publish_verdict(claim=claim, rating_name="Mostly false", author=editor)
    page = Client().get(reverse("claims:fact-check", args=[claim.pk])).content.decode()
    assert 'id="claim-updated"' not in page


# The edit page ----------------------------------------------------------------------------------


def test_the_claim_page_links_to_its_edit_page(as_journalist, claim):
    html = as_journalist.get(claim.get_absolute_url()).content.decode()
    assert f'href="{reverse("claims:edit", args=[claim.pk])}"' in html


def test_a_journalist_edits_a_claim_on_the_edit_page(as_journalist, claim, journalist):
    page = as_journalist.get(reverse("claims:edit", args=[claim.pk]))
    assert page.status_code == 200 and OLD in page.content.decode()
    response = as_journalist.post(reverse("claims:edit", args=[claim.pk]), edit_form(claim, text=NEW, tags="Kirkuk"))
    assert response.status_code == 302
    edit = ClaimEdit.objects.get(claim=claim)
    assert response["Location"] == f"{claim.get_absolute_url()}#edit-{edit.pk}"
    assert edit.changes == {"text": [OLD, NEW], "tags": [[], ["kirkuk"]]}  # first seen: the same minute
    assert edit.edited_by == journalist


def test_the_edit_form_sent_back_unchanged_writes_no_edit(as_journalist, journalist):
    claim = factories.make_claim(
        summary="Line one\nLine two", places=["Erbil, Kurdistan Region"], tags=["kirkuk"], created_by=journalist
    )
    data = edit_form(claim, summary="Line one\r\nLine two")  # as a browser sends a textarea
    response = as_journalist.post(reverse("claims:edit", args=[claim.pk]), data)
    assert response.status_code == 302
    assert not ClaimEdit.objects.exists()
    claim.refresh_from_db()
    assert claim.places == ["Erbil, Kurdistan Region"]


def test_a_double_submitted_edit_form_writes_one_edit(as_journalist, claim):
    data = edit_form(claim, text=NEW)
    first = as_journalist.post(reverse("claims:edit", args=[claim.pk]), data)
    second = as_journalist.post(reverse("claims:edit", args=[claim.pk]), {**data, "text": NEW + " (again)"})
    assert first.status_code == second.status_code == 302
    assert ClaimEdit.objects.filter(claim=claim).count() == 1
    claim.refresh_from_db()
    assert claim.text == NEW


@pytest.mark.parametrize(
    "changes", [{"text": ""}, {"text": "x" * 2001}, {"places": '["Kirkuk"]'}, {"first_seen_at": "0001-01-01T00:00"}]
)
def test_bad_input_on_the_edit_page_is_a_form_error_and_changes_nothing(as_journalist, claim, changes):
    before = snapshot(claim.pk)
    response = as_journalist.post(reverse("claims:edit", args=[claim.pk]), edit_form(claim, **changes))
    assert response.status_code == 400
    assert 'class="errors"' in response.content.decode()
    assert snapshot(claim.pk) == before


def test_a_claim_merged_away_cannot_be_edited_on_the_page(as_journalist, claim):
    survivor = factories.make_claim(text="Police left Kirkuk")
    Claim.objects.filter(pk=claim.pk).update(merged_into=survivor)
    assert as_journalist.get(reverse("claims:edit", args=[claim.pk]))["Location"] == survivor.get_absolute_url()
    response = as_journalist.post(reverse("claims:edit", args=[claim.pk]), edit_form(claim, text=NEW))
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).text == OLD


def test_an_account_without_a_role_cannot_edit(as_outsider, claim):
    response = as_outsider.post(reverse("claims:edit", args=[claim.pk]), edit_form(claim, text=NEW))
    assert response.status_code == 403
    assert Claim.objects.get(pk=claim.pk).text == OLD


# The admin --------------------------------------------------------------------------------------


def admin_change_data(claim, **changes):
    data = {
        "text": claim.text,
        "slug": claim.slug,
        "summary": claim.summary,
        "places": "\n".join(claim.places),
        "language": claim.language,
        "first_seen_at_0": newsroom_time(claim.first_seen_at).strftime("%Y-%m-%d"),
        "first_seen_at_1": newsroom_time(claim.first_seen_at).strftime("%H:%M:%S"),
        "tag_names": ", ".join(claim.tags.values_list("name", flat=True)),
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_the_admin_edits_a_claim_through_update_claim(admin_client, admin_user, claim):
    response = admin_client.post(
        f"/admin/claims/claim/{claim.pk}/change/", admin_change_data(claim, text=NEW, slug="kirkuk-airport")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    claim.refresh_from_db()
    assert (claim.text, claim.slug) == (NEW, "kirkuk-airport")
    edit = ClaimEdit.objects.get(claim=claim)
    assert (edit.changes, edit.edited_by) == ({"text": [OLD, NEW]}, admin_user)
    assert claim.updated_at == edit.edited_at


def test_saving_the_admin_form_unchanged_writes_no_edit(admin_client, claim):
    response = admin_client.post(f"/admin/claims/claim/{claim.pk}/change/", admin_change_data(claim))
    assert response.status_code == 302
    assert not ClaimEdit.objects.exists()


def test_the_admin_cannot_edit_a_claim_merged_away(admin_client, claim):
    survivor = factories.make_claim(text="Police left Kirkuk")
    Claim.objects.filter(pk=claim.pk).update(merged_into=survivor)
    response = admin_client.post(f"/admin/claims/claim/{claim.pk}/change/", admin_change_data(claim, text=NEW))
    assert response.status_code == 200
    assert "merged into claim" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).text == OLD
