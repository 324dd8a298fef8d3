"""Merging duplicate sources (claims.services.merge_sources; editors, on the source page): the
absorbed source's appearances, documents and feeds move to the survivor, nothing is deleted, stance
counts are recomputed, its page and API detail answer 301; refusals change nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims import services
from claims.models import Appearance, Claim, Stance
from sources.models import Document, Feed, Source, SourceMerge
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(db, journalist):
    """Two spellings of one outlet, both asserting the same claim, with documents and a feed."""
    kept = factories.SourceFactory(name="Rudaw")
    duplicate = factories.SourceFactory(name="Rudaw Media Network")
    claim = factories.make_claim(text="The dam burst", created_by=journalist)
    only_duplicate = factories.make_claim(text="The bridge fell", created_by=journalist)
    document = factories.DocumentFactory(source=duplicate)
    factories.make_appearance(claim=claim, source=kept, stance=Stance.ASSERTS, recorded_by=journalist)
    factories.make_appearance(
        claim=claim, source=duplicate, document=document, stance=Stance.ASSERTS, recorded_by=journalist
    )
    factories.make_appearance(claim=only_duplicate, source=duplicate, stance=Stance.DENIES, recorded_by=journalist)
    suggestion = factories.make_suggestion(claim=only_duplicate, source=duplicate)
    feed = factories.FeedFactory(source=duplicate)
    for counted in (claim, only_duplicate):
        services.recompute_stance_counts(claim_id=counted.pk)
    return {
        "kept": kept,
        "duplicate": duplicate,
        "claim": claim,
        "only_duplicate": only_duplicate,
        "document": document,
        "feed": feed,
        "suggestion": suggestion,
    }


def test_editor_merges_a_duplicate_source_and_everything_moves_to_the_survivor(as_editor, pair, editor):
    kept, duplicate = pair["kept"], pair["duplicate"]
    moved_appearances = set(Appearance.objects.filter(source=duplicate).values_list("pk", flat=True))
    claim = Claim.objects.get(pk=pair["claim"].pk)
    assert claim.asserts_count == 2

    response = as_editor.post(
        reverse("claims:source-merge", args=[duplicate.pk]),
        {"into_name": "rudaw", "reason": "The same outlet under its full name."},
    )

    assert response.status_code == 302 and response["Location"] == kept.get_absolute_url()
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    assert not Appearance.objects.filter(source=duplicate).exists()
    assert set(Appearance.objects.filter(source=kept).values_list("pk", flat=True)) >= moved_appearances
    assert Document.objects.get(pk=pair["document"].pk).source == kept
    assert Feed.objects.get(pk=pair["feed"].pk).source == kept
    merge = SourceMerge.objects.get(absorbed=duplicate)
    assert (merge.into, merge.merged_by, merge.reason) == (kept, editor, "The same outlet under its full name.")
    assert set(merge.moved["appearances"]) == moved_appearances
    assert merge.moved["documents"] == [pair["document"].pk] and merge.moved["feeds"] == [pair["feed"].pk]
    assert Source.objects.filter(pk=duplicate.pk).exists()  # nothing deleted
    # Two sources asserting the claim are now one.
    assert Claim.objects.get(pk=pair["claim"].pk).asserts_count == 1
    assert Claim.objects.get(pk=pair["only_duplicate"].pk).denies_count == 1
    # The pending suggestion moved too, still pending.
    suggestion = Appearance.objects.get(pk=pair["suggestion"].pk)
    assert (suggestion.source, suggestion.review_state) == (kept, Appearance.ReviewState.PENDING)


def test_the_absorbed_sources_page_answers_301_to_the_survivors(as_journalist, pair, editor):
    services.merge_sources(absorbed=pair["duplicate"], into=pair["kept"], merged_by=editor, reason="Same outlet.")
    response = as_journalist.get(reverse("claims:source-detail", args=[pair["duplicate"].pk]))
    assert response.status_code == 301
    assert response["Location"] == reverse("claims:source-detail", args=[pair["kept"].pk])
    survivor_page = as_journalist.get(response["Location"]).content.decode()
    assert "Rudaw Media Network" in survivor_page  # listed as merged into it


def test_the_absorbed_sources_api_detail_answers_301_and_the_api_list_hides_it(client, pair, editor):
    services.merge_sources(absorbed=pair["duplicate"], into=pair["kept"], merged_by=editor, reason="Same outlet.")
    _key, plain = factories.make_api_key("read")
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}
    response = client.get(f"/api/v1/sources/{pair['duplicate'].pk}/", **headers)
    assert response.status_code == 301
    assert response["Location"].endswith(f"/api/v1/sources/{pair['kept'].pk}/")
    assert client.get(response["Location"], **headers).json()["name"] == "Rudaw"
    listed = [item["id"] for item in client.get("/api/v1/sources/", **headers).json()["results"]]
    assert pair["kept"].pk in listed and pair["duplicate"].pk not in listed


def test_the_openapi_document_describes_the_redirect():
    from tests.openapi import api_document

    responses = api_document()["paths"]["/api/v1/sources/{id}/"]["get"]["responses"]
    assert "Location" in responses["301"]["headers"]


def snapshot():
    return (
        sorted(Appearance.objects.values_list("pk", "source_id")),
        sorted(Document.objects.values_list("pk", "source_id")),
        sorted(Feed.objects.values_list("pk", "source_id")),
        sorted(Source.objects.values_list("pk", "merged_into_id")),
        sorted(Claim.objects.values_list("pk", "asserts_count", "denies_count", "reports_count")),
        SourceMerge.objects.count(),
    )


def test_a_source_into_itself_is_refused_and_nothing_changes(pair, editor):
    before = snapshot()
    with pytest.raises(ValidationError, match="into itself"):
        services.merge_sources(absorbed=pair["kept"], into=pair["kept"], merged_by=editor, reason="Oops.")
    assert snapshot() == before


def test_an_empty_reason_is_refused_and_nothing_changes(pair, editor):
    before = snapshot()
    with pytest.raises(ValidationError, match="Say why"):
        services.merge_sources(absorbed=pair["duplicate"], into=pair["kept"], merged_by=editor, reason="  \n ")
    assert snapshot() == before


def test_merging_into_a_merged_source_an_already_merged_source_or_back_in_a_loop_is_refused(pair, editor):
    kept, duplicate = pair["kept"], pair["duplicate"]
    third = factories.SourceFactory(name="Rudaw English")
    services.merge_sources(absorbed=duplicate, into=kept, merged_by=editor, reason="Same outlet.")
    before = snapshot()
    with pytest.raises(ValidationError, match="was itself merged into"):
        services.merge_sources(absorbed=third, into=duplicate, merged_by=editor, reason="Same outlet.")
    with pytest.raises(ValidationError, match="already merged into"):
        services.merge_sources(absorbed=duplicate, into=third, merged_by=editor, reason="Same outlet.")
    with pytest.raises(ValidationError):  # the loop: the survivor back into the source it absorbed
        services.merge_sources(absorbed=kept, into=duplicate, merged_by=editor, reason="Loop.")
    assert snapshot() == before


def test_a_stale_copy_of_an_already_merged_source_is_refused(pair, editor):
    stale = Source.objects.get(pk=pair["duplicate"].pk)
    services.merge_sources(absorbed=pair["duplicate"], into=pair["kept"], merged_by=editor, reason="Same outlet.")
    other = factories.SourceFactory(name="Other")
    with pytest.raises(ValidationError, match="already merged"):
        services.merge_sources(absorbed=stale, into=other, merged_by=editor, reason="Again.")
    assert Source.objects.get(pk=stale.pk).merged_into_id == pair["kept"].pk


def test_the_merge_form_refuses_an_unknown_survivor_with_the_names_that_match(as_editor, pair):
    before = snapshot()
    response = as_editor.post(
        reverse("claims:source-merge", args=[pair["duplicate"].pk]), {"into_name": "Rud", "reason": "Same."}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "No source is called “Rud”" in html and '<option value="Rudaw">' in html
    assert snapshot() == before


def test_find_without_javascript_shows_the_matching_sources_and_merges_nothing(as_editor, pair):
    before = snapshot()
    response = as_editor.post(
        reverse("claims:source-merge", args=[pair["duplicate"].pk]), {"into_name": "rud", "find": "1", "reason": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="Rudaw">' in html
    assert '<option value="Rudaw Media Network">' not in html  # not the source being merged
    assert snapshot() == before


def test_a_refused_merge_form_shows_the_services_error(as_editor, pair):
    response = as_editor.post(
        reverse("claims:source-merge", args=[pair["kept"].pk]), {"into_name": "Rudaw", "reason": "Same."}
    )
    assert response.status_code == 400
    assert "cannot be merged into itself" in response.content.decode()


def test_the_same_merge_form_posted_twice_merges_once(as_editor, pair):
    url = reverse("claims:source-merge", args=[pair["duplicate"].pk])
    body = {"into_name": "Rudaw", "reason": "Same outlet.", "submission_token": "token-1"}
    assert as_editor.post(url, body).status_code == 302
    again = as_editor.post(url, body, follow=True)
    assert again.redirect_chain[0][1] in (301, 302)  # to the survivor's page, no error
    assert SourceMerge.objects.count() == 1


def test_a_journalist_cannot_merge_and_sees_no_merge_form(as_journalist, pair):
    page = as_journalist.get(pair["duplicate"].get_absolute_url()).content.decode()
    assert reverse("claims:source-merge", args=[pair["duplicate"].pk]) not in page
    before = snapshot()
    response = as_journalist.post(
        reverse("claims:source-merge", args=[pair["duplicate"].pk]), {"into_name": "Rudaw", "reason": "Same."}
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_editor_sees_the_merge_form_on_the_source_page(as_editor, pair):
    page = as_editor.get(pair["duplicate"].get_absolute_url()).content.decode()
    assert reverse("claims:source-merge", args=[pair["duplicate"].pk]) in page
    assert 'list="merge-choices"' in page


def test_a_new_appearance_under_the_absorbed_name_goes_to_the_survivor(pair, editor, journalist):
    services.merge_sources(absorbed=pair["duplicate"], into=pair["kept"], merged_by=editor, reason="Same outlet.")
    appearance = services.record_appearance_with_source(
        claim=pair["claim"], recorded_by=journalist, stance=Stance.REPORTS, new_source_name="rudaw media network"
    )
    assert appearance.source == pair["kept"]


# Two merges at once ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("crossed", [False, True], ids=["same-pair", "each-into-the-other"])
def test_of_two_merges_of_the_same_pair_at_once_one_wins_and_the_other_is_told(crossed):
    """Both editors loaded the page before either merged: one merge happens, the other is refused
    (already merged, or into a merged source), and no loop is made. Real threads and connections
    (claims/tests/test_races.py); on PostgreSQL they overlap, and the row locks serialise them."""
    from claims.tests.test_races import run_at_once

    kept, duplicate = factories.SourceFactory(name="Rudaw"), factories.SourceFactory(name="Rudaw TV")
    factories.make_appearance(source=duplicate)
    editors = [factories.EditorFactory(username="first"), factories.EditorFactory(username="second")]
    pairs = [(duplicate, kept), (kept, duplicate) if crossed else (duplicate, kept)]
    copies = [(Source.objects.get(pk=a.pk), Source.objects.get(pk=b.pk)) for a, b in pairs]

    outcomes = run_at_once(
        *[
            lambda a=a, b=b, e=e: services.merge_sources(absorbed=a, into=b, merged_by=e, reason="Same outlet.")
            for (a, b), e in zip(copies, editors, strict=True)
        ]
    )

    merged = [outcome for outcome in outcomes if isinstance(outcome, SourceMerge)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(merged) == 1 and len(refused) == 1, outcomes
    assert "merged into" in " ".join(refused[0].messages)
    assert SourceMerge.objects.count() == 1
    survivors = Source.objects.filter(merged_into__isnull=True, pk__in=[kept.pk, duplicate.pk])
    assert survivors.count() == 1
    assert Appearance.objects.filter(source__merged_into__isnull=False).count() == 0


def test_every_moved_row_is_in_the_audit_trail_attributed_to_the_editor(pair, editor):
    services.merge_sources(absorbed=pair["duplicate"], into=pair["kept"], merged_by=editor, reason="Same outlet.")
    moved = Appearance.history.filter(source_id=pair["kept"].pk, history_type="~")
    assert moved.count() == 3 and {record.history_user for record in moved} == {editor}
    assert Document.history.filter(id=pair["document"].pk, source_id=pair["kept"].pk, history_user=editor).exists()
    assert Feed.history.filter(id=pair["feed"].pk, source_id=pair["kept"].pk, history_user=editor).exists()
    assert Source.history.filter(id=pair["duplicate"].pk, merged_into_id=pair["kept"].pk).exists()


def test_an_old_merge_form_of_a_source_merged_meanwhile_says_so_on_the_survivors_page(as_editor, pair, editor):
    services.merge_sources(absorbed=pair["duplicate"], into=pair["kept"], merged_by=editor, reason="Same outlet.")
    other = factories.SourceFactory(name="Rudaw English")
    response = as_editor.post(
        reverse("claims:source-merge", args=[pair["duplicate"].pk]),
        {"into_name": other.name, "reason": "Same."},
        follow=True,
    )
    assert response.redirect_chain[0][0] == reverse("claims:source-detail", args=[pair["kept"].pk])
    assert "already merged into source" in response.content.decode()
    assert SourceMerge.objects.count() == 1


def test_the_api_refuses_an_appearance_on_a_merged_source_and_stores_nothing(client, pair, editor):
    services.merge_sources(absorbed=pair["duplicate"], into=pair["kept"], merged_by=editor, reason="Same outlet.")
    _key, plain = factories.make_api_key("write")
    before = Appearance.objects.count()
    response = client.post(
        "/api/v1/appearances/",
        {"claim": pair["claim"].pk, "source": pair["duplicate"].pk, "stance": "denies", "quote": "No."},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {plain}",
    )
    assert response.status_code == 400
    assert "merged into source" in str(response.json()["error"])
    assert Appearance.objects.count() == before
