"""Merging duplicate claims: claims.services.merge_claims, proposals, the pages, the redirects."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from claims import search, selectors, services
from claims.claimreview import claimreview_jsonld
from claims.models import (
    Appearance,
    Assignment,
    Claim,
    ClaimMerge,
    Evidence,
    Follow,
    MergeProposal,
    Note,
    Notification,
    StatusChange,
    StatusProposal,
    Verdict,
)
from tests import factories
from tests.api.conftest import key_client
from tests.openapi import api_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(journalist):
    """Two journalists logged the same rumour minutes apart."""
    survivor = factories.make_claim(text="Federal police withdrew from Kirkuk", created_by=journalist, tags=["kirkuk"])
    duplicate = factories.make_claim(
        text="Police have left Kirkuk", created_by=factories.JournalistFactory(username="j2"), tags=["police", "kirkuk"]
    )
    return survivor, duplicate


def merge(duplicate, survivor, editor, **kwargs):
    kwargs.setdefault("reason", "The same withdrawal rumour, logged twice.")
    return services.merge_claims(absorbed=duplicate.pk, into=survivor.pk, merged_by=editor, **kwargs)


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Claim, Appearance, Evidence, Note, Follow, Assignment, StatusChange, StatusProposal, Verdict)
    }


# What moves -------------------------------------------------------------------------------------


def test_editor_can_merge_duplicate_claim_into_survivor(pair, editor, journalist):
    survivor, duplicate = pair
    source = factories.SourceFactory(name="Rudaw")
    moved_appearance = factories.make_appearance(claim=duplicate, source=source, stance="asserts")
    appearance_evidence = factories.make_evidence(appearance=moved_appearance)
    claim_evidence = factories.make_evidence(claim=duplicate)
    suggestion = factories.make_suggestion(claim=duplicate)
    note = Note.objects.create(claim=duplicate, author=journalist, text="Called the spokesman, no answer yet.")
    status_proposal = services.propose_status_change(
        claim=duplicate, to_status="disputed", rationale="Two outlets deny it.", proposed_by=journalist
    )
    notification = Notification.objects.create(recipient=journalist, claim=duplicate, kind="mentioned")
    duplicate_history = list(StatusChange.objects.filter(claim=duplicate).values_list("pk", flat=True))
    before = row_counts()
    activity_before = Claim.objects.get(pk=survivor.pk).last_activity_at

    result = merge(duplicate, survivor, editor)

    assert isinstance(result, ClaimMerge)
    assert (result.absorbed_id, result.into_id, result.merged_by) == (duplicate.pk, survivor.pk, editor)
    assert Claim.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk
    for row in (moved_appearance, suggestion, note, status_proposal, appearance_evidence, claim_evidence):
        row.refresh_from_db()
        assert row.claim_id == survivor.pk, row
    assert sorted(Claim.objects.get(pk=survivor.pk).tags.values_list("name", flat=True)) == ["kirkuk", "police"]
    # Nothing deleted; the absorbed claim keeps its own status history and notifications.
    assert row_counts() == before
    assert list(StatusChange.objects.filter(claim=duplicate).values_list("pk", flat=True)) == duplicate_history
    notification.refresh_from_db()
    assert notification.claim_id == duplicate.pk
    # The record says exactly what moved.
    assert result.moved["appearances"] == sorted([moved_appearance.pk, suggestion.pk])
    assert sorted(result.moved["evidence"]) == sorted([appearance_evidence.pk, claim_evidence.pk])
    assert result.moved["notes"] == [note.pk]
    assert result.moved["status_proposals"] == [status_proposal.pk]
    assert result.moved["tags"] == ["police"]
    # Counts recomputed in the transaction, activity bumped.
    survivor.refresh_from_db()
    assert survivor.asserts_count == 1
    assert Claim.objects.get(pk=duplicate.pk).asserts_count == 0
    assert survivor.last_activity_at >= activity_before
    assert survivor.last_activity_at == result.merged_at


def test_ids_or_claims_are_accepted(pair, editor):
    survivor, duplicate = pair
    services.merge_claims(absorbed=duplicate, into=survivor, merged_by=editor, reason="Same")
    assert Claim.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk


def test_a_document_on_both_claims_keeps_the_survivors_accepted_appearance_and_counts_once(pair, editor):
    """The duplicate's appearance of the same document stays behind on the absorbed claim, untouched
    (not retracted, not deleted), mapped in the record to the survivor's."""
    survivor, duplicate = pair
    document = factories.DocumentFactory()
    kept = factories.make_appearance(claim=survivor, source=document.source, document=document, stance="denies")
    duplicate_one = factories.make_appearance(
        claim=duplicate, source=document.source, document=document, stance="denies"
    )
    other_source = factories.SourceFactory()
    factories.make_appearance(claim=duplicate, source=other_source, stance="denies")

    result = merge(duplicate, survivor, editor)

    duplicate_one.refresh_from_db()
    assert duplicate_one.claim_id == duplicate.pk
    assert duplicate_one.retracted_at is None
    assert result.moved["appearances_left_behind"] == {str(duplicate_one.pk): kept.pk}
    assert Appearance.objects.filter(claim=survivor, document=document).count() == 1
    survivor.refresh_from_db()
    assert survivor.denies_count == 2  # the shared document's source once, the other source once


def test_two_suggestions_of_the_same_document_keep_the_one_suggestion_per_pair_rule(pair, editor):
    survivor, duplicate = pair
    document = factories.DocumentFactory()
    on_survivor = factories.make_suggestion(claim=survivor, document=document)
    services.reject_pending_appearance(appearance=on_survivor, reviewed_by=editor)
    on_duplicate = factories.make_suggestion(claim=duplicate, document=document)
    services.accept_pending_appearance(appearance=on_duplicate, reviewed_by=editor)

    result = merge(duplicate, survivor, editor)  # would fail on appearance_one_suggestion_per_claim_document

    assert result.moved["appearances_left_behind"] == {str(on_duplicate.pk): on_survivor.pk}
    assert Appearance.objects.filter(claim=survivor, document=document, origin="suggested").count() == 1


def test_a_document_counted_only_on_the_duplicate_moves_so_it_still_counts(pair, editor):
    survivor, duplicate = pair
    document = factories.DocumentFactory()
    retracted = factories.make_appearance(claim=survivor, source=document.source, document=document)
    services.retract_appearance(appearance=retracted, retracted_by=editor, reason="Wrong stance")
    counted = factories.make_appearance(claim=duplicate, source=document.source, document=document)

    result = merge(duplicate, survivor, editor)

    counted.refresh_from_db()
    assert counted.claim_id == survivor.pk
    assert result.moved["appearances_left_behind"] == {}
    survivor.refresh_from_db()
    assert survivor.asserts_count == 1


def test_follows_keep_one_per_user_active_if_either_was(pair, editor, journalist):
    survivor, duplicate = pair
    both = factories.JournalistFactory(username="both")
    only_duplicate = factories.JournalistFactory(username="only")
    kept = Follow.objects.create(claim=survivor, user=both, reason="chose", active=False)
    left = Follow.objects.create(claim=duplicate, user=both, reason="logged", active=True)
    moved = Follow.objects.create(claim=duplicate, user=only_duplicate, reason="recorded", active=True)
    # Every follow of the duplicate but the one its survivor already has (its logger's too).
    to_move = sorted(Follow.objects.filter(claim=duplicate).exclude(pk=left.pk).values_list("pk", flat=True))
    assert moved.pk in to_move

    result = merge(duplicate, survivor, editor)

    kept.refresh_from_db(), left.refresh_from_db(), moved.refresh_from_db()
    assert kept.active and kept.claim_id == survivor.pk
    assert left.claim_id == duplicate.pk  # one row per (claim, user): the survivor's stays
    assert moved.claim_id == survivor.pk
    assert (result.moved["follows"], result.moved["follows_activated"]) == (to_move, [kept.pk])


def test_assignments_keep_one_current_per_user(pair, editor, journalist):
    survivor, duplicate = pair
    other = factories.JournalistFactory(username="other")
    on_both = Assignment.objects.create(claim=survivor, user=journalist, assigned_by=editor)
    duplicate_current = Assignment.objects.create(claim=duplicate, user=journalist, assigned_by=editor)
    past = Assignment.objects.create(claim=duplicate, user=other, unassigned_at=timezone.now())
    current = Assignment.objects.create(claim=duplicate, user=other, assigned_by=editor)

    result = merge(duplicate, survivor, editor)

    for row in (on_both, duplicate_current, past, current):
        row.refresh_from_db()
    assert duplicate_current.claim_id == duplicate.pk and duplicate_current.unassigned_at == result.merged_at
    assert duplicate_current.unassigned_by == editor
    assert (past.claim_id, current.claim_id) == (survivor.pk, survivor.pk)
    assert current.unassigned_at is None and on_both.unassigned_at is None
    assert Assignment.objects.filter(claim=survivor, unassigned_at__isnull=True).count() == 2
    assert sorted(result.moved["assignments"]) == sorted([past.pk, current.pk])
    assert result.moved["assignments_ended"] == [duplicate_current.pk]


def test_claims_merged_into_the_duplicate_earlier_now_redirect_to_the_survivor(pair, editor, as_editor):
    survivor, duplicate = pair
    older = factories.make_claim(text="Kirkuk police gone")
    merge(older, duplicate, editor)
    result = merge(duplicate, survivor, editor)

    assert Claim.objects.get(pk=older.pk).merged_into_id == survivor.pk
    assert result.moved["claims_redirected"] == [older.pk]
    response = as_editor.get(f"/claims/{older.pk}/")
    assert (response.status_code, response["Location"]) == (301, f"/claims/{survivor.pk}/")
    kinds = [event.kind for event in selectors.claim_timeline(Claim.objects.get(pk=survivor.pk))]
    assert kinds.count("merged_from") == 2


def test_pending_merge_proposals_naming_the_duplicate_follow_it(pair, editor, journalist):
    survivor, duplicate = pair
    third = factories.make_claim(text="Kirkuk: police pulled out")
    to_third = services.propose_merge(absorbed=duplicate, into=third, proposed_by=journalist, reason="Same")
    same_pair_reversed = services.propose_merge(absorbed=survivor, into=duplicate, proposed_by=journalist, reason="x")

    merge(duplicate, survivor, editor)

    to_third.refresh_from_db(), same_pair_reversed.refresh_from_db()
    assert (to_third.absorbed_id, to_third.into_id, to_third.state) == (survivor.pk, third.pk, "pending")
    assert same_pair_reversed.state == MergeProposal.State.MERGED


# The survivor's timeline ------------------------------------------------------------------------


def test_survivor_timeline_shows_merged_from_and_the_duplicates_status_history(pair, editor, as_editor):
    survivor, duplicate = pair
    services.change_status(claim=duplicate, to_status="disputed", rationale="Denied by the ministry", changed_by=editor)
    result = merge(duplicate, survivor, editor, reason="Logged twice by the night desk")

    events = selectors.claim_timeline(Claim.objects.get(pk=survivor.pk))
    merged = [e for e in events if e.kind == "merged_from"]
    assert [e.item for e in merged] == [result]
    history = [e.item.to_status for e in events if e.kind == "merged_status_change"]
    assert history == ["unverified", "disputed"]
    assert {"merged_from", "merged_status_change"} <= set(selectors.TIMELINE_EVENT_KINDS)

    page = as_editor.get(f"/claims/{survivor.pk}/").content.decode()
    assert "Police have left Kirkuk" in page
    assert "Logged twice by the night desk" in page
    assert "merged by ed" in page
    assert f"Status of merged claim #{duplicate.pk}" in page
    assert "Denied by the ministry" in page


def test_api_timeline_lists_the_merge_and_the_duplicates_status_changes(pair, editor):
    survivor, duplicate = pair
    merge(duplicate, survivor, editor)
    client = key_client(factories.make_api_key("read")[1])
    events = client.get(f"/api/v1/claims/{survivor.pk}/timeline/").json()
    merged = [e for e in events if e["kind"] == "merged_from"]
    assert merged[0]["merged_from"]["absorbed"] == duplicate.pk
    assert "reason" not in merged[0]["merged_from"]  # internal
    assert [e["status_change"]["claim"] for e in events if e["kind"] == "merged_status_change"] == [duplicate.pk]


# Redirects --------------------------------------------------------------------------------------


def test_absorbed_claims_newsroom_page_answers_301_to_the_survivor(pair, editor, as_journalist):
    survivor, duplicate = pair
    merge(duplicate, survivor, editor)
    response = as_journalist.get(f"/claims/{duplicate.pk}/")
    assert (response.status_code, response["Location"]) == (301, f"/claims/{survivor.pk}/")
    response = as_journalist.get(f"/claims/{duplicate.pk}/appearances/new/")
    assert (response.status_code, response["Location"]) == (301, f"/claims/{survivor.pk}/appearances/new/")


def test_absorbed_claims_public_page_answers_301_to_the_survivors(pair, editor, client):
    survivor, duplicate = pair
    services.publish_verdict(claim=duplicate, rating_name="False", author=editor)
    merge(duplicate, survivor, editor)
    response = client.get(f"/fact-checks/{duplicate.pk}/")
    assert (response.status_code, response["Location"]) == (301, f"/fact-checks/{survivor.pk}/")
    assert client.get(f"/fact-checks/{survivor.pk}/").status_code == 200  # the verdict came along
    assert client.get("/fact-checks/999999/").status_code == 404


def test_absorbed_claims_api_addresses_answer_301_with_location(pair, editor):
    survivor, duplicate = pair
    services.publish_verdict(claim=survivor, rating_name="False", author=editor)
    merge(duplicate, survivor, editor)
    client = key_client(factories.make_api_key("read")[1])
    for suffix in ("", "timeline/", "claimreview/"):
        response = client.get(f"/api/v1/claims/{duplicate.pk}/{suffix}", {"include_retracted": "true"})
        assert response.status_code == 301, suffix
        assert response["Location"] == f"http://testserver/api/v1/claims/{survivor.pk}/{suffix}?include_retracted=true"
        assert client.get(response["Location"]).status_code == 200


def test_openapi_documents_the_301_with_a_location_header():
    paths = api_document()["paths"]
    for path in ("/api/v1/claims/{id}/", "/api/v1/claims/{id}/timeline/", "/api/v1/claims/{id}/claimreview/"):
        moved = paths[path]["get"]["responses"]["301"]
        assert moved["headers"]["Location"]["required"] is True
        assert "content" not in moved


def test_redirects_follow_a_chain_to_the_final_survivor(pair, editor):
    survivor, duplicate = pair
    merge(duplicate, survivor, editor)
    assert selectors.final_survivor_id(duplicate.pk) == survivor.pk
    assert selectors.final_survivor_id(survivor.pk) is None
    # A chain (older data, or written around the service): still resolved to its end.
    third = factories.make_claim(text="Third wording")
    Claim.objects.filter(pk=survivor.pk).update(merged_into=third)
    assert selectors.final_survivor_id(duplicate.pk) == third.pk


# Lists and search hide merged claims ------------------------------------------------------------


def test_lists_and_search_hide_the_absorbed_claim(pair, editor, as_editor):
    survivor, duplicate = pair
    services.publish_verdict(claim=duplicate, rating_name="False", author=editor)
    suggestion = factories.make_suggestion(claim=survivor)
    merge(duplicate, survivor, editor)

    listed = as_editor.get("/claims/", {"q": "Kirkuk"}).content.decode()
    assert f"/claims/{survivor.pk}/" in listed and f"/claims/{duplicate.pk}/" not in listed
    assert duplicate not in selectors.similar_claims("Police have left Kirkuk")
    assert duplicate.pk not in search.candidate_claim_ids(["police", "left", "kirkuk"], limit=10)
    client = key_client(factories.make_api_key("read")[1])
    assert [c["id"] for c in client.get("/api/v1/claims/").json()["results"]] == [survivor.pk]
    reviews = client.get("/api/v1/claimreviews/").json()["results"]
    assert [r["claimReviewed"] for r in reviews] == [survivor.text]
    assert suggestion in selectors.pending_appearances()
    desk = as_editor.get("/desk/").content.decode()
    assert f"/claims/{duplicate.pk}/" not in desk


def test_duplicates_left_behind_are_not_listed_in_review_or_the_api(pair, editor):
    survivor, duplicate = pair
    document = factories.DocumentFactory()
    factories.make_appearance(claim=survivor, source=document.source, document=document)
    left_pending = factories.make_suggestion(claim=duplicate, document=document)
    left_accepted = factories.make_appearance(claim=duplicate, source=document.source, document=document)
    merge(duplicate, survivor, editor)

    assert left_pending not in selectors.pending_appearances()
    client = key_client(factories.make_api_key("read")[1])
    listed = [a["id"] for a in client.get("/api/v1/appearances/").json()["results"]]
    assert left_accepted.pk not in listed


def test_matching_never_suggests_a_merged_claim(pair, editor, django_capture_on_commit_callbacks):
    survivor, duplicate = pair
    merge(duplicate, survivor, editor)
    with django_capture_on_commit_callbacks(execute=True):
        factories.ingest_article(title="Police have left Kirkuk", text="Police have left Kirkuk, witnesses say.")
    assert not Appearance.objects.filter(claim=duplicate).exists()


# Refusals: a clear error and nothing changed ----------------------------------------------------


def assert_refused(call, message):
    before = row_counts(), list(Claim.objects.values_list("pk", "merged_into_id")), ClaimMerge.objects.count()
    with pytest.raises(ValidationError) as refused:
        call()
    assert message in " ".join(refused.value.messages)
    assert (
        row_counts(),
        list(Claim.objects.values_list("pk", "merged_into_id")),
        ClaimMerge.objects.count(),
    ) == before


def test_a_claim_cannot_be_merged_into_itself(pair, editor):
    survivor, _duplicate = pair
    assert_refused(lambda: merge(survivor, survivor, editor), "cannot be merged into itself")


def test_merging_into_a_claim_already_merged_is_refused(pair, editor):
    survivor, duplicate = pair
    merge(duplicate, survivor, editor)
    third = factories.make_claim(text="Another one")
    assert_refused(lambda: merge(third, duplicate, editor), f"merge into claim {survivor.pk} instead")


def test_merging_a_claim_already_merged_away_is_refused(pair, editor):
    survivor, duplicate = pair
    merge(duplicate, survivor, editor)
    third = factories.make_claim(text="Another one")
    assert_refused(lambda: merge(duplicate, third, editor), "was already merged into claim")


def test_a_merge_that_would_make_a_loop_is_refused(pair, editor):
    survivor, duplicate = pair
    merge(duplicate, survivor, editor)
    assert_refused(lambda: merge(survivor, duplicate, editor), "would make a loop")


@pytest.mark.parametrize(("reason", "message"), [("", "Say why"), ("   ", "Say why"), ("x" * 2001, "under 2000")])
def test_a_merge_without_a_sane_reason_is_refused(pair, editor, reason, message):
    survivor, duplicate = pair
    assert_refused(lambda: merge(duplicate, survivor, editor, reason=reason), message)


def test_merging_an_unknown_claim_is_refused(pair, editor):
    survivor, _duplicate = pair
    with pytest.raises(services.MergeRefused, match="There is no claim"):
        services.merge_claims(absorbed=10**9, into=survivor.pk, merged_by=editor, reason="Same")


def test_two_published_verdicts_are_refused_unless_the_editor_says_which_stands(pair, editor):
    survivor, duplicate = pair
    services.publish_verdict(claim=survivor, rating_name="False", author=editor)
    services.publish_verdict(claim=duplicate, rating_name="Mostly false", author=editor)
    assert_refused(lambda: merge(duplicate, survivor, editor), "Both claims have a published verdict")
    assert_refused(lambda: merge(duplicate, survivor, editor, keep_verdict_of="mine"), "“into” or “absorbed”")


def test_keeping_the_survivors_verdict(pair, editor):
    survivor, duplicate = pair
    kept = services.publish_verdict(claim=survivor, rating_name="False", author=editor)
    services.publish_verdict(claim=duplicate, rating_name="Mostly false", author=editor)
    result = merge(duplicate, survivor, editor, keep_verdict_of="into")
    assert result.kept_verdict_of == "into"
    assert selectors.current_verdict(Claim.objects.get(pk=survivor.pk)) == kept
    assert Verdict.objects.filter(claim=survivor).count() == 1


def test_keeping_the_duplicates_verdict_republishes_it_on_the_survivor_and_claimreview_shows_it(
    pair, editor, django_capture_on_commit_callbacks
):
    survivor, duplicate = pair
    services.publish_verdict(claim=survivor, rating_name="False", author=editor)
    theirs = services.publish_verdict(claim=duplicate, rating_name="Mostly false", summary="Half of it", author=editor)
    result = merge(duplicate, survivor, editor, keep_verdict_of="absorbed")

    current = selectors.current_verdict(Claim.objects.get(pk=survivor.pk))
    assert current.pk == result.moved["verdict_republished"]
    assert (current.rating_name, current.summary, current.author) == ("Mostly false", "Half of it", editor)
    assert Verdict.objects.filter(claim=duplicate).get() == theirs  # the duplicate keeps its own
    claim = selectors.published_claimreviews().get(pk=survivor.pk)
    review = claimreview_jsonld(
        claim=claim, verdict=selectors.current_verdict(claim), appearances=claim.published_appearances, claim_url="u"
    )
    assert review["reviewRating"]["alternateName"] == "Mostly false"
    assert review["claimReviewed"] == survivor.text


def test_the_only_verdict_being_the_duplicates_comes_along(pair, editor):
    survivor, duplicate = pair
    services.publish_verdict(claim=duplicate, rating_name="False", author=editor)
    result = merge(duplicate, survivor, editor)
    assert result.kept_verdict_of == "absorbed"
    assert selectors.current_verdict(Claim.objects.get(pk=survivor.pk)).rating_name == "False"


def test_nothing_more_is_written_to_a_claim_merged_away(pair, editor, journalist):
    survivor, duplicate = pair
    merge(duplicate, survivor, editor)
    duplicate.refresh_from_db()
    for write in (
        lambda: services.change_status(claim=duplicate, to_status="false", rationale="x", changed_by=editor),
        lambda: services.publish_verdict(claim=duplicate, rating_name="False", author=editor),
        lambda: factories.make_appearance(claim=duplicate),
        lambda: factories.make_evidence(claim=duplicate),
        lambda: services.propose_status_change(
            claim=duplicate, to_status="false", rationale="x", proposed_by=journalist
        ),
    ):
        with pytest.raises(services.MergedAway, match=f"merged into claim {survivor.pk}"):
            write()


# Proposals --------------------------------------------------------------------------------------


def test_journalist_proposes_and_editor_merges_the_proposal(pair, editor, journalist):
    survivor, duplicate = pair
    proposal = services.propose_merge(absorbed=duplicate.pk, into=survivor.pk, proposed_by=journalist, reason="Same")
    with pytest.raises(ValidationError, match="already proposed"):
        services.propose_merge(absorbed=duplicate.pk, into=survivor.pk, proposed_by=journalist, reason="Again")

    decided = services.decide_merge_proposal(proposal=proposal, decided_by=editor, merge=True, decision_note="Yes")

    assert decided.state == MergeProposal.State.MERGED
    assert (decided.decided_by, decided.decision_note) == (editor, "Yes")
    assert decided.merge.reason == "Same"
    assert Claim.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk
    with pytest.raises(ValidationError, match="already decided"):
        services.decide_merge_proposal(proposal=proposal, decided_by=editor, merge=False)


def test_editor_rejects_a_proposal_and_nothing_merges(pair, editor, journalist):
    survivor, duplicate = pair
    proposal = services.propose_merge(absorbed=duplicate.pk, into=survivor.pk, proposed_by=journalist, reason="Same")
    decided = services.decide_merge_proposal(proposal=proposal, decided_by=editor, merge=False, decision_note="No")
    assert decided.state == MergeProposal.State.REJECTED
    assert Claim.objects.get(pk=duplicate.pk).merged_into_id is None


def test_proposals_are_refused_like_merges(pair, editor, journalist):
    survivor, duplicate = pair
    with pytest.raises(services.MergeRefused, match="itself"):
        services.propose_merge(absorbed=survivor, into=survivor, proposed_by=journalist, reason="Same")
    with pytest.raises(ValidationError, match="Say why"):
        services.propose_merge(absorbed=duplicate, into=survivor, proposed_by=journalist, reason="")
    merge(duplicate, survivor, editor)
    with pytest.raises(services.MergeRefused, match="loop"):
        services.propose_merge(absorbed=survivor, into=duplicate, proposed_by=journalist, reason="Same")
    assert not MergeProposal.objects.exists()


def test_a_proposal_needing_a_verdict_choice_stays_pending_until_given(pair, editor, journalist):
    survivor, duplicate = pair
    services.publish_verdict(claim=survivor, rating_name="False", author=editor)
    services.publish_verdict(claim=duplicate, rating_name="False", author=editor)
    proposal = services.propose_merge(absorbed=duplicate, into=survivor, proposed_by=journalist, reason="Same")
    with pytest.raises(services.MergeRefused, match="Both claims"):
        services.decide_merge_proposal(proposal=proposal, decided_by=editor, merge=True)
    proposal.refresh_from_db()
    assert proposal.state == MergeProposal.State.PENDING
    services.decide_merge_proposal(proposal=proposal, decided_by=editor, merge=True, keep_verdict_of="into")
    proposal.refresh_from_db()
    assert proposal.state == MergeProposal.State.MERGED


# Pages ------------------------------------------------------------------------------------------


def merge_form(page_html: str) -> dict:
    import re

    token = re.search(r'name="submission_token" value="([^"]+)" id="id_merge_submission_token"', page_html)
    return {"submission_token": token.group(1)}


def test_editor_merges_from_the_claim_page_and_lands_on_the_survivor(pair, as_editor):
    survivor, duplicate = pair
    page = as_editor.get(f"/claims/{duplicate.pk}/").content.decode()
    assert 'id="merge-claim"' in page
    assert f"#{survivor.pk} Federal police withdrew from Kirkuk" in page  # offered as a candidate
    form = {**merge_form(page), "into": f"http://testserver/claims/{survivor.pk}/", "reason": "Same rumour"}

    response = as_editor.post(f"/claims/{duplicate.pk}/merge/", form, follow=True)

    assert response.redirect_chain[0] == (f"/claims/{survivor.pk}/", 302)
    assert f"Claim {duplicate.pk} was merged into this claim." in response.content.decode()
    # A double click: merged once, the second is told.
    again = as_editor.post(f"/claims/{duplicate.pk}/merge/", form, follow=True)
    assert again.redirect_chain[0] == (f"/claims/{survivor.pk}/", 302)
    assert "nothing was saved twice" in again.content.decode()
    assert ClaimMerge.objects.count() == 1


def test_journalist_proposes_from_the_claim_page_once(pair, as_journalist):
    survivor, duplicate = pair
    page = as_journalist.get(f"/claims/{duplicate.pk}/").content.decode()
    assert "Propose a merge" in page and "Verdict that stands" not in page
    form = {**merge_form(page), "into": str(survivor.pk), "reason": "Same rumour"}
    for _click in range(2):
        response = as_journalist.post(f"/claims/{duplicate.pk}/merge/", form)
        assert response.status_code == 302
    assert MergeProposal.objects.get().proposed_by.username == "jo"
    assert not ClaimMerge.objects.exists()
    page = as_journalist.get(f"/claims/{survivor.pk}/").content.decode()
    assert f"merge-proposal-{MergeProposal.objects.get().pk}" in page
    assert "claims/merge-proposals/" not in page  # no buttons for journalists


@pytest.mark.parametrize(
    ("into", "message"),
    [("", "This field is required"), ("claim forty-two", "Give the claim"), ("self", "cannot be merged into itself")],
)
def test_a_refused_merge_form_shows_the_error_and_changes_nothing(pair, as_editor, into, message):
    survivor, duplicate = pair
    into = str(duplicate.pk) if into == "self" else into
    response = as_editor.post(f"/claims/{duplicate.pk}/merge/", {"into": into, "reason": "Same"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ClaimMerge.objects.exists()


def test_a_merge_form_with_a_reason_too_long_changes_nothing(pair, as_editor):
    survivor, duplicate = pair
    response = as_editor.post(f"/claims/{duplicate.pk}/merge/", {"into": survivor.pk, "reason": "x" * 2001})
    assert response.status_code == 400
    assert not ClaimMerge.objects.exists()


def test_a_form_posted_to_a_merged_claim_sends_the_user_to_the_survivor(pair, editor, as_journalist):
    survivor, duplicate = pair
    merge(duplicate, survivor, editor)
    source = factories.SourceFactory()
    response = as_journalist.post(
        f"/claims/{duplicate.pk}/appearances/new/", {"source": source.pk, "stance": "asserts"}, follow=True
    )
    assert response.redirect_chain[-1] == (f"/claims/{survivor.pk}/", 302)
    assert "nothing was saved on it" in response.content.decode()
    assert not Appearance.objects.exists()


def test_desk_lists_merge_proposals_with_merge_and_reject_buttons(pair, editor, journalist, as_editor):
    survivor, duplicate = pair
    proposal = services.propose_merge(absorbed=duplicate, into=survivor, proposed_by=journalist, reason="Twice")
    desk = as_editor.get("/desk/").content.decode()
    assert f'id="merge-proposal-{proposal.pk}"' in desk
    assert reverse("claims:merge-proposal-merge", args=[proposal.pk]) in desk
    assert reverse("claims:merge-proposal-reject", args=[proposal.pk]) in desk

    response = as_editor.post(
        reverse("claims:merge-proposal-merge", args=[proposal.pk]), {"next": "/desk/", "keep_verdict_of": ""}
    )

    assert (response.status_code, response["Location"]) == (302, f"/claims/{survivor.pk}/")
    assert Claim.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk
    assert "No merges proposed." in as_editor.get("/desk/").content.decode()


def test_rejecting_from_the_desk_goes_back_to_the_desk(pair, journalist, as_editor):
    survivor, duplicate = pair
    proposal = services.propose_merge(absorbed=duplicate, into=survivor, proposed_by=journalist, reason="Twice")
    response = as_editor.post(reverse("claims:merge-proposal-reject", args=[proposal.pk]), {"next": "/desk/"})
    assert (response.status_code, response["Location"]) == (302, "/desk/")
    proposal.refresh_from_db()
    assert proposal.state == MergeProposal.State.REJECTED


def test_a_refused_proposal_merge_is_told_on_the_page(pair, editor, journalist, as_editor):
    survivor, duplicate = pair
    services.publish_verdict(claim=survivor, rating_name="False", author=editor)
    services.publish_verdict(claim=duplicate, rating_name="False", author=editor)
    proposal = services.propose_merge(absorbed=duplicate, into=survivor, proposed_by=journalist, reason="Twice")
    response = as_editor.post(
        reverse("claims:merge-proposal-merge", args=[proposal.pk]), {"next": "/desk/"}, follow=True
    )
    assert "Both claims have a published verdict" in response.content.decode()
    assert Claim.objects.get(pk=duplicate.pk).merged_into_id is None


def test_desk_queries_do_not_grow_with_merge_proposals(editor, journalist, client):
    from django.test.utils import CaptureQueriesContext

    def desk_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/desk/").status_code == 200
        return len(captured)

    client.force_login(editor)

    def propose(n):
        for i in range(n):
            a = factories.make_claim(text=f"Rumour number {i} a", created_by=journalist)
            b = factories.make_claim(text=f"Rumour number {i} b", created_by=journalist)
            services.propose_merge(absorbed=a, into=b, proposed_by=journalist, reason="Same")

    propose(1)
    one = desk_queries()
    propose(15)
    assert desk_queries() == one


# Archive ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_merge_and_its_proposal_are_part_of_the_archive(tmp_path, journalist, editor):
    import io

    from django.core.management import call_command

    from archive.tests.test_archive import empty_the_database

    survivor = factories.make_claim(text="First wording", created_by=journalist)
    duplicate = factories.make_claim(text="Second wording", created_by=journalist)
    factories.make_appearance(claim=duplicate)
    proposal = services.propose_merge(absorbed=duplicate, into=survivor, proposed_by=journalist, reason="Same")
    services.decide_merge_proposal(proposal=proposal, decided_by=editor, merge=True)
    before = (list(ClaimMerge.objects.values()), list(MergeProposal.objects.values()), list(Claim.objects.values()))

    call_command("export_archive", str(tmp_path / "a"), stdout=io.StringIO())
    empty_the_database()
    call_command("import_archive", str(tmp_path / "a"), stdout=io.StringIO())

    assert (list(ClaimMerge.objects.values()), list(MergeProposal.objects.values()), list(Claim.objects.values())) == (
        before
    )


# Two merges at once -----------------------------------------------------------------------------


@pytest.mark.once
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("opposite", [False, True], ids=["same-direction", "opposite-directions"])
def test_of_two_concurrent_merges_of_the_same_pair_one_wins_and_the_other_is_told(opposite):
    survivor = factories.make_claim(text="Federal police withdrew from Kirkuk")
    duplicate = factories.make_claim(text="Police have left Kirkuk")
    factories.make_appearance(claim=duplicate)
    editors = [factories.EditorFactory(username="first"), factories.EditorFactory(username="second")]
    pairs = [(duplicate.pk, survivor.pk), (survivor.pk, duplicate.pk) if opposite else (duplicate.pk, survivor.pk)]
    start = threading.Barrier(2)
    outcomes = [None, None]

    def run(index):
        try:
            start.wait()
            absorbed, into = pairs[index]
            outcomes[index] = services.merge_claims(
                absorbed=absorbed, into=into, merged_by=editors[index], reason=f"{editors[index].username} merges"
            )
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a merge is stuck"

    won = [outcome for outcome in outcomes if isinstance(outcome, ClaimMerge)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, services.MergeRefused)]
    assert (len(won), len(refused)) == (1, 1), outcomes
    assert "merged" in " ".join(refused[0].messages)
    assert ClaimMerge.objects.count() == 1
    merged = ClaimMerge.objects.get()
    assert Claim.objects.filter(merged_into__isnull=False).count() == 1
    assert Appearance.objects.get().claim_id == merged.into_id


def test_survivor_page_queries_do_not_grow_with_merged_duplicates(editor, journalist, client):
    from django.test.utils import CaptureQueriesContext

    survivor = factories.make_claim(text="The survivor", created_by=journalist)

    def absorb(n):
        for i in range(n):
            duplicate = factories.make_claim(text=f"Duplicate {i}", created_by=journalist)
            services.change_status(claim=duplicate, to_status="disputed", rationale="x", changed_by=editor)
            merge(duplicate, survivor, editor)

    def page_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/claims/{survivor.pk}/").status_code == 200
        return len(captured)

    client.force_login(editor)
    absorb(1)
    one = page_queries()
    absorb(10)
    assert page_queries() == one


# Nothing is written on what a merge left behind, or through a page loaded before it ------------


def test_a_suggestion_left_behind_on_a_merged_claim_can_no_longer_be_reviewed(pair, editor):
    survivor, duplicate = pair
    document = factories.DocumentFactory()
    factories.make_appearance(claim=survivor, source=document.source, document=document, stance="asserts")
    left_behind = factories.make_suggestion(claim=duplicate, document=document)
    merge(duplicate, survivor, editor)
    assert Appearance.objects.get(pk=left_behind.pk).claim_id == duplicate.pk
    before = Claim.objects.values_list("asserts_count", "denies_count", "last_activity_at").get(pk=duplicate.pk)

    for review in (services.accept_pending_appearance, services.reject_pending_appearance):
        with pytest.raises(services.MergedAway, match=f"merged into claim {survivor.pk}"):
            review(appearance=left_behind, reviewed_by=editor)

    assert Appearance.objects.get(pk=left_behind.pk).review_state == Appearance.ReviewState.PENDING
    after = Claim.objects.values_list("asserts_count", "denies_count", "last_activity_at").get(pk=duplicate.pk)
    assert after == before


def test_a_retraction_from_a_page_loaded_before_the_merge_is_refused_and_changes_nothing(pair, editor):
    survivor, duplicate = pair
    appearance = factories.make_appearance(claim=duplicate, stance="asserts")
    stale = Appearance.objects.get(pk=appearance.pk)  # as the page had it, on the duplicate
    merge(duplicate, survivor, editor)
    assert Claim.objects.get(pk=survivor.pk).asserts_count == 1

    with pytest.raises(services.MergedAway):
        services.retract_appearance(appearance=stale, retracted_by=editor, reason="Wrong outlet.")

    assert Appearance.objects.get(pk=appearance.pk).retracted_at is None
    assert Claim.objects.get(pk=survivor.pk).asserts_count == 1


def test_an_appearance_moved_by_a_merge_is_retracted_on_the_survivor_and_counted_there(pair, editor):
    survivor, duplicate = pair
    appearance = factories.make_appearance(claim=duplicate, stance="asserts")
    merge(duplicate, survivor, editor)
    moved = Appearance.objects.get(pk=appearance.pk)

    services.retract_appearance(appearance=moved, retracted_by=editor, reason="Wrong outlet.")

    assert Claim.objects.get(pk=survivor.pk).asserts_count == 0


def test_following_a_merged_claim_follows_nothing_and_goes_to_the_survivor(pair, editor, as_journalist, journalist):
    survivor, duplicate = pair
    merge(duplicate, survivor, editor)
    follows_before = list(Follow.objects.filter(user=journalist).values_list("claim_id", "active"))

    response = as_journalist.post(reverse("claims:follow", args=[duplicate.pk]), follow=True)

    assert response.redirect_chain[-1][0] == survivor.get_absolute_url()
    assert "nothing was saved" in response.content.decode()
    assert list(Follow.objects.filter(user=journalist).values_list("claim_id", "active")) == follows_before


def test_the_sources_directory_does_not_count_what_a_merge_left_behind(pair, editor, as_journalist):
    survivor, duplicate = pair
    document = factories.DocumentFactory()
    factories.make_appearance(claim=survivor, source=document.source, document=document, stance="asserts")
    factories.make_appearance(claim=duplicate, source=document.source, document=document, stance="asserts")
    merge(duplicate, survivor, editor)

    response = as_journalist.get(reverse("claims:source-list"), {"q": document.source.name})

    (listed,) = [source for source in response.context["page"].object_list if source.pk == document.source_id]
    source_page = as_journalist.get(document.source.get_absolute_url())
    assert listed.appearance_count == len(source_page.context["appearances"]) == 1
