"""A long timeline on the claim page: the newest appearances and every official statement, with
all the rulings and notes; the rest on demand, without JavaScript; permalinks always land."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from claims import selectors, services
from claims.models import ClaimStatus, Stance
from sources.models import Document, Source
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
SHOWN = 5


@pytest.fixture(autouse=True)
def small_window(monkeypatch):
    monkeypatch.setattr(selectors, "TIMELINE_APPEARANCES_SHOWN", SHOWN)


@pytest.fixture
def long_claim(claim, editor, journalist):
    """Twelve appearances an hour apart, each in a document but the second, by the Defence Ministry;
    the fourth in an official statement of an outlet, the first with evidence; a ruling and a note
    before them all."""
    services.change_status(
        claim=claim, to_status=ClaimStatus.UNDER_REVIEW, rationale="Looking.", changed_by=editor, changed_at=START
    )
    services.add_note(claim_id=claim.pk, author=journalist, text="Early note from the desk")
    ministry = factories.SourceFactory(name="Ministry of Defence", kind=Source.Kind.OFFICIAL_BODY)
    outlet = factories.SourceFactory(name="Kurdistan 24")
    statement = factories.DocumentFactory(source=outlet, kind=Document.Kind.OFFICIAL_STATEMENT)
    appearances = []
    for n in range(12):
        source = factories.SourceFactory(name=f"Outlet {n}")
        document = factories.DocumentFactory(source=source) if n != 1 else None
        if n == 1:
            source = ministry
        if n == 3:
            source, document = outlet, statement
        appearances.append(
            factories.make_appearance(
                claim=claim,
                source=source,
                document=document,
                stance=Stance.DENIES if n == 1 else Stance.ASSERTS,
                seen_at=START + timedelta(hours=n + 1),
                quote=f"Quote number {n}",
            )
        )
    evidence = factories.make_evidence(appearance=appearances[0], uploaded_by=journalist)
    claim.refresh_from_db()
    return claim, appearances, evidence


def shown_quotes(response) -> set[int]:
    html = response.content.decode()
    return {n for n in range(12) if f"Quote number {n}<" in html}


def test_a_long_timeline_shows_the_newest_appearances_and_every_official_statement(as_journalist, long_claim):
    claim, _, _ = long_claim
    response = as_journalist.get(claim.get_absolute_url())
    html = response.content.decode()
    assert shown_quotes(response) == {1, 3, 7, 8, 9, 10, 11}
    assert "Showing 7 of 12 appearances" in html
    # The rulings and the discussion are never cut: here both are older than every appearance.
    assert "Looking." in html and "Early note from the desk" in html
    assert f'href="{claim.get_absolute_url()}?timeline=all#timeline-heading"' in html


def test_the_rest_of_the_timeline_is_one_link_away_without_javascript(as_journalist, long_claim):
    claim, _, _ = long_claim
    response = as_journalist.get(claim.get_absolute_url(), {"timeline": "all"})
    html = response.content.decode()
    assert shown_quotes(response) == set(range(12))
    assert "Showing" not in html
    assert "Show only the newest appearances and the official statements" in html
    # The live updates keep showing everything.
    assert f'data-live-url="{reverse("claims:live", args=[claim.pk])}?timeline=all"' in html


def test_a_permalink_to_an_old_appearance_or_its_evidence_lands_on_it(as_journalist, long_claim):
    claim, appearances, evidence = long_claim
    old = appearances[2]
    html = as_journalist.get(claim.get_absolute_url() + selectors.permalink_suffix("appearance", old.pk)).content
    assert f'id="appearance-{old.pk}"'.encode() in html and b"Quote number 2<" in html
    html = as_journalist.get(claim.get_absolute_url(), {"event": f"evidence-{evidence.pk}"}).content
    assert f'id="appearance-{appearances[0].pk}"'.encode() in html and b"Quote number 0<" in html


def test_a_new_appearances_redirect_names_it_so_an_old_date_still_lands(as_journalist, long_claim):
    claim, _, _ = long_claim
    response = as_journalist.post(
        reverse("claims:appearance-create", args=[claim.pk]),
        {
            "new_source_name": "Late outlet",
            "new_source_kind": "news_outlet",
            "stance": "reports",
            "quote": "Quote found in the archive",
            "seen_at": "2026-02-01T10:30",  # before every other appearance
            "document_url": "https://late.example/a",
        },
    )
    assert response.status_code == 302
    assert "?event=appearance-" in response["Location"]
    assert b"Quote found in the archive" in as_journalist.get(response["Location"]).content


@pytest.mark.parametrize("event", ["appearance-abc", "appearance-99999999", "evidence-", "x" * 500, "note-1"])
def test_a_bad_event_in_the_address_still_shows_the_page(as_journalist, long_claim, event):
    claim, _, _ = long_claim
    response = as_journalist.get(claim.get_absolute_url(), {"event": event})
    assert response.status_code == 200
    assert shown_quotes(response) == {1, 3, 7, 8, 9, 10, 11}


def test_the_live_fragment_shows_the_same_part_of_the_timeline_as_the_page(as_journalist, long_claim):
    claim, appearances, _ = long_claim
    live = reverse("claims:live", args=[claim.pk])
    window = as_journalist.get(live)
    everything = as_journalist.get(live, {"timeline": "all"})
    linked = as_journalist.get(live, {"event": f"appearance-{appearances[2].pk}"})
    assert shown_quotes(window) == {1, 3, 7, 8, 9, 10, 11}
    assert shown_quotes(everything) == set(range(12))
    assert 2 in shown_quotes(linked)
    assert len({window["ETag"], everything["ETag"], linked["ETag"]}) == 3


def test_the_chart_counts_every_appearance_not_only_those_shown(as_journalist, long_claim):
    claim, _, _ = long_claim
    html = as_journalist.get(claim.get_absolute_url()).content.decode()
    chart = html[html.index('id="claim-chart"') : html.index("</svg>")]
    status_changes = [e.item for e in selectors.claim_timeline(claim) if e.kind == "status_change"]
    from claims import charts

    drawn = charts.stance_chart(selectors.stance_chart_rows(claim), status_changes, now=START + timedelta(days=1))
    assert (drawn.asserts_total, drawn.denies_total) == (11, 1)
    assert "11" in chart


def test_the_public_fact_check_page_lists_the_newest_and_official_appearances_the_rest_on_demand(
    client, monkeypatch, long_claim, editor
):
    claim, appearances, _ = long_claim
    monkeypatch.setattr(selectors, "FACT_CHECK_APPEARANCES_SHOWN", SHOWN)
    services.retract_appearance(appearance=appearances[11], retracted_by=editor, reason="Wrong claim.")
    services.publish_verdict(claim=claim, rating_name="False", author=editor)
    page = client.get(reverse("claims:fact-check", args=[claim.pk]))
    assert shown_quotes(page) == {1, 3, 6, 7, 8, 9, 10}  # the retracted one is never public
    assert "Showing 7 of 11 appearances" in page.content.decode()
    everything = client.get(reverse("claims:fact-check", args=[claim.pk]), {"appearances": "all"})
    assert shown_quotes(everything) == set(range(11))
    assert "Showing" not in everything.content.decode()


def test_claimreview_lists_the_earliest_appearances_the_same_on_the_page_and_in_the_api(
    client, monkeypatch, long_claim, editor
):
    import json
    import re

    from claims import claimreview
    from tests.factories import make_api_key

    claim, appearances, _ = long_claim
    monkeypatch.setattr(claimreview, "CLAIMREVIEW_APPEARANCES", 3)
    monkeypatch.setattr("claims.templatetags.claimreview.CLAIMREVIEW_APPEARANCES", 3)
    services.publish_verdict(claim=claim, rating_name="False", author=editor)
    html = client.get(reverse("claims:fact-check", args=[claim.pk])).content.decode()
    embedded = json.loads(re.search(r'application/ld\+json">\s*(.*?)\s*</script>', html, re.S).group(1))
    _, key = make_api_key()
    served = client.get(f"/api/v1/claims/{claim.pk}/claimreview/", HTTP_AUTHORIZATION=f"Api-Key {key}").json()
    listed = [work["datePublished"] for work in embedded["itemReviewed"]["appearance"]]
    # The denial (number 1) is not an appearance of the claim.
    assert listed == [appearances[n].seen_at.isoformat() for n in (0, 2, 3)]
    assert embedded["itemReviewed"] == served["itemReviewed"]
    assert embedded["itemReviewed"]["firstAppearance"]["datePublished"] == appearances[0].seen_at.isoformat()


def test_links_to_appearances_from_the_source_page_and_the_desk_land_on_them(as_editor, long_claim):
    claim, appearances, _ = long_claim
    old = appearances[2]
    source_page = as_editor.get(old.source.get_absolute_url()).content.decode()
    assert f'href="{old.get_absolute_url()}"' in source_page
    assert f'id="appearance-{old.pk}"'.encode() in as_editor.get(old.get_absolute_url()).content
    official = appearances[1]
    assert f'href="{official.get_absolute_url()}"' in as_editor.get(reverse("claims:desk")).content.decode()


def test_a_rewrite_of_an_article_shows_on_the_default_timeline_even_when_its_appearance_does_not(
    as_journalist, claim, journalist
):
    from sources import services as source_services

    document = factories.DocumentFactory(title="Police withdraw from Kirkuk")
    factories.DocumentRevisionFactory(document=document)
    old = factories.make_appearance(claim=claim, source=document.source, document=document, seen_at=START)
    for n in range(SHOWN + 2):
        factories.make_appearance(claim=claim, seen_at=START + timedelta(hours=n + 1))
    source_services.record_revision(document=document, title="Iraq denies police withdrawal", text="Rewritten body.")
    html = as_journalist.get(claim.get_absolute_url()).content.decode()
    assert f'id="appearance-{old.pk}"' not in html
    assert "Iraq denies police withdrawal" in html
