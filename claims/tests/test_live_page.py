"""The live claim page: /claims/<id>/live/ answers 304 while nothing changed and the page's live
parts once something did; stance counts are right the moment a write commits, without a worker;
the claim page's forms keep the user at the claim's own address when they are refused."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Claim, ClaimStatus, Stance
from tests import factories

pytestmark = pytest.mark.django_db


def live(client, claim, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(reverse("claims:live", args=[claim.pk]), **headers)


def test_the_live_fragment_is_304_until_something_happens_on_the_claim(as_journalist, claim):
    first = live(as_journalist, claim)
    assert first.status_code == 200
    etag = first["ETag"]
    assert 'id="claim-timeline"' in first.content.decode()
    unchanged = live(as_journalist, claim, etag)
    assert unchanged.status_code == 304
    assert unchanged["ETag"] == etag and unchanged.content == b""

    appearance = factories.make_appearance(claim=claim, source=factories.SourceFactory(name="Rudaw"))
    changed = live(as_journalist, claim, etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    html = changed.content.decode()
    assert f'id="appearance-{appearance.pk}"' in html and "Rudaw" in html
    assert "1 asserting" in html
    assert live(as_journalist, claim, changed["ETag"]).status_code == 304


def test_the_claim_page_carries_the_etag_of_what_it_shows(as_journalist, claim):
    page = as_journalist.get(claim.get_absolute_url()).content.decode()
    etag = live(as_journalist, claim)["ETag"]
    assert f'data-live-etag="{etag.replace(chr(34), "&quot;")}"' in page
    assert f'data-live-url="{reverse("claims:live", args=[claim.pk])}"' in page
    assert "js/claim-live" in page


@pytest.mark.parametrize(
    "event",
    ["past_appearance", "retraction", "status", "verdict", "evidence", "edit", "accepted_suggestion"],
)
def test_every_event_on_the_timeline_changes_the_etag(as_journalist, claim, editor, journalist, event):
    appearance = factories.make_appearance(claim=claim, recorded_by=journalist)
    suggestion = factories.make_suggestion(claim=claim)
    etag = live(as_journalist, claim)["ETag"]
    if event == "past_appearance":  # dated before the last activity: last_activity_at stays
        before = Claim.objects.get(pk=claim.pk).last_activity_at
        factories.make_appearance(claim=claim, seen_at=timezone.now() - timedelta(days=3))
        assert Claim.objects.get(pk=claim.pk).last_activity_at == before
    elif event == "retraction":
        services.retract_appearance(appearance=appearance, retracted_by=journalist, reason="Wrong claim.")
    elif event == "status":
        services.change_status(claim=claim, to_status=ClaimStatus.DISPUTED, rationale="Denied.", changed_by=editor)
    elif event == "verdict":
        services.publish_verdict(claim=claim, rating_name="False", author=editor)
    elif event == "evidence":
        factories.make_evidence(claim=claim, uploaded_by=journalist)
    elif event == "edit":
        services.update_claim(claim_id=claim.pk, edited_by=journalist, text="Police left Kirkuk at night")
    else:
        services.accept_pending_appearance(appearance=suggestion, reviewed_by=journalist)
    assert live(as_journalist, claim, etag).status_code == 200


def test_a_live_poll_does_not_renew_the_session(as_journalist, claim):
    as_journalist.get(claim.get_absolute_url())
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(expire_date=session.expire_date - timedelta(minutes=30))
    expiry = Session.objects.get().expire_date
    response = live(as_journalist, claim)
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.get().expire_date == expiry
    assert "Cookie" in response["Vary"] and "no-cache" in response["Cache-Control"]


def test_an_unknown_claim_has_no_live_fragment(as_journalist):
    assert as_journalist.get(reverse("claims:live", args=[999999])).status_code == 404


def count_queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


@pytest.mark.parametrize("events", [1, 60])
def test_the_live_endpoint_runs_a_fixed_number_of_queries(as_journalist, claim, editor, journalist, events):
    for n in range(events):
        document = factories.DocumentFactory()
        appearance = factories.make_appearance(
            claim=claim, source=document.source, document=document, recorded_by=journalist
        )
        if n % 3 == 1:
            factories.make_evidence(appearance=appearance, uploaded_by=journalist)
        if n % 5 == 2:
            services.update_claim(claim_id=claim.pk, edited_by=journalist, summary=f"Summary {n}")
    url = reverse("claims:live", args=[claim.pk])
    full, full_queries = count_queries(as_journalist, url)
    unchanged, unchanged_queries = count_queries(as_journalist, url, HTTP_IF_NONE_MATCH=full["ETag"])
    assert (full.status_code, unchanged.status_code) == (200, 304)
    # Session, user, permissions (2); then the claim row and the unread count, answering 304
    # without a session write.
    assert unchanged_queries == 6
    # ...or the claim (+ tags, verdicts), the timeline (8) and which of its appearances are shown
    # (3), the notes and assignments (2), the unread count (1) and the chart's aggregate (1).
    assert full_queries == 6 + 3 + 8 + 3 + 2 + 1 + 1


# Stance counts, with no worker running --------------------------------------------------------


def counts(claim):
    claim = Claim.objects.get(pk=claim.pk)
    return claim.asserts_count, claim.denies_count, claim.reports_count


def test_stance_counts_are_right_when_the_appearance_is_recorded_without_a_worker(claim, journalist):
    outlet, ministry = factories.SourceFactory(), factories.SourceFactory(kind="official_body")
    factories.make_appearance(claim=claim, source=outlet, stance=Stance.ASSERTS)  # no on-commit task runs
    factories.make_appearance(claim=claim, source=outlet, stance=Stance.ASSERTS)
    denial = factories.make_appearance(claim=claim, source=ministry, stance=Stance.DENIES)
    assert counts(claim) == (1, 1, 0)
    services.retract_appearance(appearance=denial, retracted_by=journalist, reason="Wrong ministry.")
    assert counts(claim) == (1, 0, 0)
    suggestion = factories.make_suggestion(claim=claim, stance=Stance.REPORTS)
    assert counts(claim) == (1, 0, 0)  # pending: not counted
    services.accept_pending_appearance(appearance=suggestion, reviewed_by=journalist)
    assert counts(claim) == (1, 0, 1)


def test_the_claim_list_shows_the_counts_at_once(as_journalist, claim):
    factories.make_appearance(claim=claim, stance=Stance.DENIES)
    assert Claim.objects.get(pk=claim.pk).denies_count == 1
    assert as_journalist.get(reverse("claims:list")).status_code == 200


def test_recording_an_appearance_through_the_page_counts_it_at_once(as_journalist, claim):
    source = factories.SourceFactory()
    response = as_journalist.post(
        claim.get_absolute_url(), {"action": "appearance", "source": source.pk, "stance": "denies", "quote": "No."}
    )
    assert response.status_code == 302
    assert counts(claim) == (0, 1, 0)
    assert "1 denying" in as_journalist.get(claim.get_absolute_url()).content.decode()


# Refused forms stay at the claim's address ------------------------------------------------------

REFUSED = {
    "status": {"to_status": "false", "rationale": "", "expected_status": "unverified"},
    "verdict": {"rating": "Pants on fire"},
    "evidence": {"caption": "No file"},
    "appearance": {"stance": "asserts"},  # neither a source nor a new one
    "proposal": {"to_status": "false", "rationale": ""},
    "note": {"text": "x" * 10_000},
    "assignment": {"user": "999999"},
    "merge": {"into": "not a claim", "reason": "Same rumour."},
}


@pytest.mark.parametrize("action", sorted(REFUSED))
def test_a_refused_claim_page_form_is_shown_again_at_the_claims_own_address(client, editor, journalist, claim, action):
    client.force_login(journalist if action == "proposal" else editor)  # editors rule rather than propose
    url = claim.get_absolute_url()
    assert f'name="action" value="{action}"' in client.get(url).content.decode()
    response = client.post(url, {"action": action, **REFUSED[action]}, follow=True)
    assert response.status_code == 400
    assert response.request["PATH_INFO"] == url  # the address bar shows the claim's own address
    assert response.redirect_chain == []
    assert 'class="errors"' in response.content.decode()
    assert client.get(url).status_code == 200  # a reload there is the page, not a 405
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.UNVERIFIED


def test_the_forms_on_the_claim_page_post_to_the_claims_own_address(as_editor, claim):
    page = as_editor.get(claim.get_absolute_url()).content.decode()
    for action in ("status", "verdict", "evidence", "appearance", "note", "assignment", "merge"):
        assert f'name="action" value="{action}"' in page
    for old in ("status-change", "verdict-publish", "evidence-create", "appearance-create", "note-create", "merge"):
        assert f'action="{reverse(f"claims:{old}", args=[claim.pk])}"' not in page


def test_an_accepted_claim_page_form_redirects_to_its_item(as_editor, claim):
    response = as_editor.post(
        claim.get_absolute_url(),
        {"action": "status", "to_status": "disputed", "rationale": "Denied.", "expected_status": "unverified"},
    )
    assert response.status_code == 302
    change = claim.status_changes.last()
    assert response["Location"] == f"{claim.get_absolute_url()}#status-change-{change.pk}"


def test_a_journalist_cannot_rule_through_the_claim_page_action(as_journalist, claim):
    response = as_journalist.post(
        claim.get_absolute_url(),
        {"action": "status", "to_status": "false", "rationale": "I decided.", "expected_status": "unverified"},
    )
    assert response.status_code == 403
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.UNVERIFIED


def test_an_unknown_action_is_refused_and_changes_nothing(as_editor, claim):
    response = as_editor.post(claim.get_absolute_url(), {"action": "delete", "to_status": "false"})
    assert response.status_code == 400
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.UNVERIFIED


# The public fact-check page is linked once there is a verdict -----------------------------------


def test_the_claim_page_links_to_the_public_fact_check_once_a_verdict_is_published(as_editor, claim, editor):
    link = f'href="{reverse("claims:fact-check", args=[claim.pk])}"'
    assert link not in as_editor.get(claim.get_absolute_url()).content.decode()
    services.publish_verdict(claim=claim, rating_name="False", author=editor)
    assert link in as_editor.get(claim.get_absolute_url()).content.decode()
    assert link in live(as_editor, claim).content.decode()
