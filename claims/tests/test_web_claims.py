"""The newsroom pages do what journalists and editors need, with real forms and the database."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import services, views
from claims.models import Appearance, Claim, ClaimStatus, Evidence, Stance, StatusChange, StatusProposal, Verdict
from sources.models import Document, Source
from tests import factories

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return response.content.decode()


# Claim list ---------------------------------------------------------------------------------


def test_claim_list_shows_status_first_seen_and_stance_counts(as_journalist):
    claim = factories.make_claim(text="Bridge in Mosul collapsed", first_seen_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    for _ in range(2):  # the stance counts are recomputed as each is recorded: no task to run
        factories.make_appearance(claim=claim, stance=Stance.ASSERTS)
    factories.make_appearance(claim=claim, stance=Stance.DENIES)
    html = page_text(as_journalist.get("/claims/"))
    row = html[html.index("Bridge in Mosul collapsed") :].split("</tr>")[0]
    assert "Unverified" in row
    # Shown in the newsroom's time zone (Asia/Baghdad, UTC+3) with the offset.
    assert "2026-03-01 12:00 +0300" in row
    assert re.findall(r'class="num[^"]*">(\d+)<', row) == ["2", "1", "0"]


def test_claim_list_is_sorted_by_latest_activity(as_journalist):
    older = factories.make_claim(text="Older claim about fuel prices")
    newer = factories.make_claim(text="Newer claim about water cuts")
    factories.make_appearance(claim=older)  # activity moves the older claim to the top
    html = page_text(as_journalist.get("/claims/"))
    assert html.index(older.text) < html.index(newer.text)


def test_search_finds_arabic_and_kurdish_claims(as_journalist):
    arabic = factories.make_claim(text="انسحاب الشرطة الاتحادية من كركوك")
    kurdish = factories.make_claim(text="پۆلیسی فیدراڵ لە کەرکووک کشایەوە")
    english = factories.make_claim(text="Federal police withdrew from Kirkuk")
    html = page_text(as_journalist.get("/claims/", {"q": "كركوك"}))
    assert arabic.text in html and english.text not in html and kurdish.text not in html
    html = page_text(as_journalist.get("/claims/", {"q": "کەرکووک"}))
    assert kurdish.text in html and arabic.text not in html
    # Every word must match; a word attached to a prefix (الاتحادية) is found by its stem.
    html = page_text(as_journalist.get("/claims/", {"q": "اتحادية كركوك"}))
    assert arabic.text in html
    assert 'dir="auto"' in html


def test_postgresql_full_text_search_accepts_web_search_syntax(as_journalist):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("websearch full-text syntax is PostgreSQL's; other databases match words only")
    arabic = factories.make_claim(text="انسحاب الشرطة الاتحادية من كركوك")
    english = factories.make_claim(text="Federal police withdrew from Kirkuk")
    other = factories.make_claim(text="Fuel prices rose in Basra")
    html = page_text(as_journalist.get("/claims/", {"q": "كركوك OR withdrew"}))
    assert arabic.text in html and english.text in html and other.text not in html
    html = page_text(as_journalist.get("/claims/", {"q": "police -federal"}))
    assert english.text not in html


def test_filters_by_status_tag_source_and_date_range(as_journalist, editor):
    source = factories.SourceFactory(name="Rudaw")
    tagged = factories.make_claim(text="Tagged claim", tags=["kirkuk"], first_seen_at=datetime(2026, 1, 10, tzinfo=UTC))
    sourced = factories.make_claim(text="Sourced claim", first_seen_at=datetime(2026, 2, 10, tzinfo=UTC))
    factories.make_appearance(claim=sourced, source=source)
    ruled = factories.make_claim(text="Ruled claim", first_seen_at=datetime(2026, 3, 10, tzinfo=UTC))
    services.change_status(claim=ruled, to_status=ClaimStatus.FALSE, rationale="Site visit.", changed_by=editor)

    def shown(**params):
        html = page_text(as_journalist.get("/claims/", params))
        return {c.text for c in (tagged, sourced, ruled) if c.text in html}

    assert shown(status="false") == {"Ruled claim"}
    assert shown(tag="kirkuk") == {"Tagged claim"}
    assert shown(source=source.pk) == {"Sourced claim"}
    assert shown(seen_from="2026-02-01", seen_until="2026-02-28") == {"Sourced claim"}
    assert shown(seen_until="2026-01-10") == {"Tagged claim"}


def test_claim_list_paginates_and_keeps_filters(as_journalist):
    for n in range(55):
        factories.make_claim(text=f"Repeated rumour number {n}")
    first = page_text(as_journalist.get("/claims/", {"q": "rumour"}))
    assert "Page 1 of 2" in first
    assert "q=rumour&amp;page=2" in first
    second = page_text(as_journalist.get("/claims/", {"q": "rumour", "page": 2}))
    assert second.count("Repeated rumour number") == 5


def test_empty_claim_list_says_so(as_journalist):
    assert "No claims yet." in page_text(as_journalist.get("/claims/"))
    assert "No claims match these filters." in page_text(as_journalist.get("/claims/", {"q": "nothing"}))


# New claim ----------------------------------------------------------------------------------


def test_new_claim_shows_similar_claims_before_saving(as_journalist):
    existing = factories.make_claim(text="Federal police withdrew from Kirkuk Province")
    response = as_journalist.post(reverse("claims:create"), {"text": "Police withdrew from Kirkuk overnight"})
    assert response.status_code == 200
    assert existing.text in page_text(response)
    assert Claim.objects.count() == 1  # nothing saved yet
    assert 'name="confirm_new" value="True"' in page_text(response)
    response = as_journalist.post(
        reverse("claims:create"), {"text": "Police withdrew from Kirkuk overnight", "confirm_new": "True"}
    )
    assert response.status_code == 302
    assert Claim.objects.count() == 2


def test_new_claim_without_similar_ones_is_saved_at_once(as_journalist, journalist):
    response = as_journalist.post(
        reverse("claims:create"), {"text": "Dam near Haditha opened its gates", "tags": "water, dams"}
    )
    claim = Claim.objects.get()
    assert response["Location"] == claim.get_absolute_url()
    assert claim.created_by == journalist
    assert sorted(claim.tags.values_list("name", flat=True)) == ["dams", "water"]


def test_empty_claim_is_refused_with_a_message(as_journalist):
    response = as_journalist.post(reverse("claims:create"), {"text": "  "})
    assert response.status_code == 400
    assert "This field is required." in page_text(response)
    assert not Claim.objects.exists()


def test_similar_claims_fragment_for_htmx(as_journalist):
    factories.make_claim(text="Kirkuk airport closed to civilian flights")
    html = page_text(as_journalist.get(reverse("claims:similar"), {"text": "airport closed in Kirkuk"}))
    assert "Kirkuk airport closed" in html
    assert "<html" not in html


# Claim page ---------------------------------------------------------------------------------


def test_claim_page_shows_status_timeline_with_permalinks_and_chart(as_journalist, editor, claim):
    ministry = factories.SourceFactory(name="Ministry of Interior", kind=Source.Kind.OFFICIAL_BODY)
    asserting = factories.make_appearance(claim=claim, stance=Stance.ASSERTS, quote="They left at dawn.")
    denial = factories.make_appearance(claim=claim, source=ministry, stance=Stance.DENIES, quote="No withdrawal.")
    change = services.change_status(claim=claim, to_status=ClaimStatus.DISPUTED, rationale="Denied.", changed_by=editor)
    html = page_text(as_journalist.get(claim.get_absolute_url()))
    assert 'id="current-status"' in html and "Disputed" in html
    for anchor in (f"appearance-{asserting.pk}", f"appearance-{denial.pk}"):
        assert f'id="{anchor}"' in html
        # An appearance is named in the query too: the page then shows it however long the timeline.
        assert f'href="{claim.get_absolute_url()}?event={anchor}#{anchor}"' in html
    assert f'id="status-change-{change.pk}"' in html
    assert f'href="{claim.get_absolute_url()}#status-change-{change.pk}"' in html
    denial_item = html[html.index(f'id="appearance-{denial.pk}"') :].split("</li>")[0]
    assert "official" in html[html.rindex("<li", 0, html.index(f'id="appearance-{denial.pk}"')) :].split(">")[0]
    assert "Official statement" in denial_item
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "line-asserts" in svg and "line-denies" in svg
    assert "band-disputed" in svg and "band-unverified" in svg
    assert "1 sources assert the claim and 1 deny it" in svg


def test_journalist_sees_no_status_control_but_can_propose(as_journalist, claim):
    html = page_text(as_journalist.get(claim.get_absolute_url()))
    assert 'name="action" value="status"' not in html
    assert 'name="action" value="verdict"' not in html
    assert 'name="action" value="proposal"' in html


def test_forged_status_change_by_a_journalist_is_refused(as_journalist, claim):
    response = as_journalist.post(
        reverse("claims:status-change", args=[claim.pk]),
        {"to_status": "false", "rationale": "I decided.", "expected_status": "unverified"},
    )
    assert response.status_code == 403
    assert "Your role does not allow this." in page_text(response)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNVERIFIED


# Appearances and evidence -------------------------------------------------------------------


def test_record_appearance_with_an_inline_new_source(as_journalist, claim, journalist):
    response = as_journalist.post(
        reverse("claims:appearance-create", args=[claim.pk]),
        {
            "new_source_name": "Shafaq News",
            "new_source_kind": "news_outlet",
            "stance": "asserts",
            "quote": "قالت مصادر إن الشرطة انسحبت",
            "seen_at": "2026-05-01T10:30",
            "document_url": "https://shafaq.example/ar/news/1?utm_source=x",
        },
    )
    appearance = Appearance.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#appearance-{appearance.pk}")
    assert appearance.source.name == "Shafaq News"
    assert appearance.document.canonical_url == "https://shafaq.example/ar/news/1"
    assert appearance.recorded_by == journalist
    # Entered in the newsroom's time zone (UTC+3), stored in UTC.
    assert appearance.seen_at == datetime(2026, 5, 1, 7, 30, tzinfo=UTC)


def test_known_document_address_fills_in_document_and_source(as_journalist, claim):
    document = factories.DocumentFactory(url="https://mod.example/statement", kind=Document.Kind.OFFICIAL_STATEMENT)
    as_journalist.post(
        reverse("claims:appearance-create", args=[claim.pk]),
        {"document_url": "https://MOD.example/statement#top", "stance": "denies"},
    )
    appearance = Appearance.objects.get()
    assert (appearance.document, appearance.source) == (document, document.source)
    lookup = page_text(as_journalist.get(reverse("sources:document-lookup"), {"document_url": document.url}))
    assert document.source.name in lookup


def test_known_address_of_another_source_is_refused(as_journalist, claim):
    document = factories.DocumentFactory(url="https://mod.example/statement")
    other = factories.SourceFactory(name="Someone else")
    response = as_journalist.post(
        reverse("claims:appearance-create", args=[claim.pk]),
        {"document_url": document.url, "source": other.pk, "stance": "denies"},
    )
    assert response.status_code == 400
    assert "already known as published by" in page_text(response)
    assert not Appearance.objects.exists()


def test_appearance_needs_a_source(as_journalist, claim):
    response = as_journalist.post(reverse("claims:appearance-create", args=[claim.pk]), {"stance": "asserts"})
    assert response.status_code == 400
    assert "Pick a source, or give the name of a new one." in page_text(response)


def test_evidence_upload_stores_sha256_and_shows_a_preview(as_journalist, claim):
    import hashlib

    upload = SimpleUploadedFile("photo.png", factories.PNG_BYTES, content_type="image/png")
    response = as_journalist.post(
        reverse("claims:evidence-create", args=[claim.pk]), {"file": upload, "caption": "Empty checkpoint"}
    )
    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert evidence.sha256 == hashlib.sha256(factories.PNG_BYTES).hexdigest()
    assert evidence.content_type == "image/png"
    html = page_text(as_journalist.get(claim.get_absolute_url()))
    assert evidence.sha256 in html
    assert f'<img src="{reverse("claims:evidence-file", args=[evidence.pk])}"' in html
    served = as_journalist.get(reverse("claims:evidence-file", args=[evidence.pk]))
    assert b"".join(served.streaming_content) == factories.PNG_BYTES
    assert served["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "image/png"),
        ("report.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf"),
        ("page.html", b"<html><body>hi</body></html>", "text/html"),
    ],
)
def test_evidence_type_is_checked_from_content_not_name(as_journalist, claim, name, content, declared):
    upload = SimpleUploadedFile(name, content, content_type=declared)
    response = as_journalist.post(reverse("claims:evidence-create", args=[claim.pk]), {"file": upload})
    assert response.status_code == 400
    assert "Only images (PNG, JPEG, GIF, WebP) and PDF files can be attached." in page_text(response)
    assert not Evidence.objects.exists()


def test_evidence_over_the_size_cap_is_refused(as_journalist, claim, settings):
    settings.CLAIMTRACK_EVIDENCE_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.pdf", factories.PDF_BYTES + b"0" * 2000, content_type="application/pdf")
    response = as_journalist.post(reverse("claims:evidence-create", args=[claim.pk]), {"file": upload})
    assert response.status_code == 400
    assert "larger than" in page_text(response)
    assert not Evidence.objects.exists()


def test_bad_evidence_with_an_appearance_stores_neither(as_journalist, claim):
    response = as_journalist.post(
        reverse("claims:appearance-create", args=[claim.pk]),
        {
            "new_source_name": "Some outlet",
            "stance": "asserts",
            "evidence": SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
        },
    )
    assert response.status_code == 400
    assert not Appearance.objects.exists()
    assert not Evidence.objects.exists()
    assert not Source.objects.filter(name="Some outlet").exists()


def test_retracted_appearance_stays_struck_through_and_leaves_the_counts(
    as_journalist, journalist, claim, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appearance = factories.make_appearance(claim=claim, recorded_by=journalist, quote="A mistaken quote")
    claim.refresh_from_db()
    assert claim.asserts_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = as_journalist.post(
            reverse("claims:appearance-retract", args=[appearance.pk]), {"reason": "Attributed to the wrong outlet."}
        )
    assert response.status_code == 302
    html = page_text(as_journalist.get(claim.get_absolute_url()))
    item = html[html.index(f'id="appearance-{appearance.pk}"') :].split("</li>")[0]
    assert "<del>" in item and "A mistaken quote" in item and "Attributed to the wrong outlet." in item
    claim.refresh_from_db()
    assert claim.asserts_count == 0


def test_retraction_needs_a_reason(as_journalist, journalist, claim):
    appearance = factories.make_appearance(claim=claim, recorded_by=journalist)
    as_journalist.post(reverse("claims:appearance-retract", args=[appearance.pk]), {"reason": ""})
    appearance.refresh_from_db()
    assert appearance.retracted_at is None


def test_retracted_evidence_is_struck_through(as_journalist, journalist, claim):
    evidence = factories.make_evidence(claim=claim, uploaded_by=journalist, caption="Wrong photo")
    as_journalist.post(reverse("claims:evidence-retract", args=[evidence.pk]), {"reason": "Photo is from 2014."})
    evidence.refresh_from_db()
    assert evidence.retraction_reason == "Photo is from 2014."
    html = page_text(as_journalist.get(claim.get_absolute_url()))
    figure = html[html.index(f'id="evidence-{evidence.pk}"') :].split("</figure>")[0]
    assert "<del>" in figure and "Photo is from 2014." in figure


# Status, verdicts and proposals -------------------------------------------------------------


def test_editor_changes_status_with_rationale(as_editor, editor, claim):
    response = as_editor.post(
        reverse("claims:status-change", args=[claim.pk]),
        {"to_status": "false", "rationale": "Ministry statement and a site visit.", "expected_status": "unverified"},
    )
    change = StatusChange.objects.filter(claim=claim).latest("id")
    assert response["Location"].endswith(f"#status-change-{change.pk}")
    assert (change.to_status, change.changed_by, change.rationale) == (
        "false",
        editor,
        "Ministry statement and a site visit.",
    )


def test_status_change_without_rationale_is_refused(as_editor, claim):
    response = as_editor.post(
        reverse("claims:status-change", args=[claim.pk]),
        {"to_status": "false", "rationale": "", "expected_status": "unverified"},
    )
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNVERIFIED


def test_stale_status_form_gets_a_clear_conflict(as_editor, editor, claim):
    services.change_status(claim=claim, to_status=ClaimStatus.DISPUTED, rationale="Other editor.", changed_by=editor)
    response = as_editor.post(
        reverse("claims:status-change", args=[claim.pk]),
        {"to_status": "false", "rationale": "My reasoning.", "expected_status": "unverified"},
    )
    assert response.status_code == 409
    html = page_text(response)
    assert "while you were editing" in html
    assert "My reasoning." in html  # the editor's text is kept
    assert 'name="expected_status" value="disputed"' in html
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DISPUTED


def test_editor_publishes_a_verdict_from_the_configured_scale(as_editor, editor, claim):
    as_editor.post(
        reverse("claims:verdict-publish", args=[claim.pk]), {"rating": "Mostly false", "summary": "Old photos."}
    )
    verdict = Verdict.objects.get()
    assert (verdict.rating_name, verdict.rating_value, verdict.best_rating, verdict.author) == (
        "Mostly false",
        2,
        5,
        editor,
    )
    response = as_editor.post(reverse("claims:verdict-publish", args=[claim.pk]), {"rating": "Pants on fire"})
    assert response.status_code == 400
    assert Verdict.objects.count() == 1


def test_journalist_proposal_is_approved_by_an_editor(as_journalist, journalist, editor, client, claim):
    as_journalist.post(
        reverse("claims:proposal-create", args=[claim.pk]), {"to_status": "disputed", "rationale": "Ministry denies."}
    )
    proposal = StatusProposal.objects.get()
    assert proposal.proposed_by == journalist and proposal.state == "pending"
    client.force_login(editor)
    assert "Ministry denies." in page_text(client.get(reverse("claims:desk")))
    client.post(reverse("claims:proposal-approve", args=[proposal.pk]), {"next": "/desk/"})
    proposal.refresh_from_db()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DISPUTED
    assert proposal.state == "approved"
    assert proposal.status_change.changed_by == editor
    assert proposal.status_change.rationale == "Ministry denies."


def test_approving_with_a_note_over_the_limit_is_refused_and_changes_nothing(editor, journalist, client, claim):
    proposal = services.propose_status_change(
        claim=claim, to_status=ClaimStatus.DISPUTED, rationale="Ministry denies.", proposed_by=journalist
    )
    client.force_login(editor)

    response = client.post(
        reverse("claims:proposal-approve", args=[proposal.pk]), {"decision_note": "x" * 2001}, follow=True
    )

    assert "at most 2000 characters" in page_text(response)
    proposal.refresh_from_db()
    claim.refresh_from_db()
    assert proposal.state == "pending" and claim.status == ClaimStatus.UNVERIFIED


def test_proposal_made_stale_by_another_ruling_cannot_be_approved(editor, journalist, claim):
    proposal = services.propose_status_change(
        claim=claim, to_status=ClaimStatus.FALSE, rationale="Fake.", proposed_by=journalist
    )
    services.change_status(claim=claim, to_status=ClaimStatus.DISPUTED, rationale="Ruled.", changed_by=editor)
    with pytest.raises(services.StatusConflict):
        services.approve_status_proposal(proposal=proposal, decided_by=editor)
    proposal.refresh_from_db()
    assert proposal.state == "pending"


def test_rejected_proposal_leaves_the_status(as_editor, editor, journalist, claim):
    proposal = services.propose_status_change(
        claim=claim, to_status=ClaimStatus.FALSE, rationale="Fake.", proposed_by=journalist
    )
    as_editor.post(reverse("claims:proposal-reject", args=[proposal.pk]), {"decision_note": "Not yet."})
    proposal.refresh_from_db()
    claim.refresh_from_db()
    assert (proposal.state, proposal.decided_by, proposal.decision_note) == ("rejected", editor, "Not yet.")
    assert claim.status == ClaimStatus.UNVERIFIED
    with pytest.raises(services.ValidationError):
        services.approve_status_proposal(proposal=proposal, decided_by=editor)


# Source page, review queue, desk ------------------------------------------------------------


def test_source_page_shows_how_its_assertions_were_rated(as_journalist, editor):
    source = factories.SourceFactory(name="Rumour Mill")
    for text, rating in [("First rumour", "False"), ("Second rumour", "False"), ("Third rumour", None)]:
        claim = factories.make_claim(text=text)
        factories.make_appearance(claim=claim, source=source, stance=Stance.ASSERTS)
        if rating:
            services.publish_verdict(claim=claim, rating_name=rating, author=editor)
    html = page_text(as_journalist.get(source.get_absolute_url()))
    assert "This source asserted 3 tracked claims." in html
    ratings = html[html.index("How its assertions were rated") : html.index('id="appearances-heading"')]
    assert re.search(r"<td>False</td><td class=\"num\">2</td>", ratings)
    assert re.search(r"No verdict yet</td><td class=\"num\">1</td>", ratings)


def test_source_page_pages_its_appearances_and_rates_every_assertion_not_only_the_shown_ones(
    as_journalist, editor, monkeypatch
):
    monkeypatch.setattr(views, "SOURCE_APPEARANCES_PER_PAGE", 3)
    source = factories.SourceFactory(name="Rumour Mill")
    base = timezone.now() - timedelta(days=30)
    for n in range(7):
        claim = factories.make_claim(text=f"Rumour number {n}")
        factories.make_appearance(claim=claim, source=source, stance=Stance.ASSERTS, seen_at=base + timedelta(days=n))
        if n < 2:  # the two oldest, shown only on the last page
            services.publish_verdict(claim=claim, rating_name="False", author=editor)
    # The same claim asserted twice by the source (two documents) is one claim asserted.
    factories.make_appearance(
        claim=Claim.objects.get(text="Rumour number 0"), source=source, stance=Stance.ASSERTS, seen_at=base
    )
    first = page_text(as_journalist.get(source.get_absolute_url()))
    assert "8 appearances, newest first." in first
    assert [n for n in range(7) if f"Rumour number {n}<" in first] == [4, 5, 6]
    assert "page=2" in first and 'rel="next"' in first
    for html in (first, page_text(as_journalist.get(source.get_absolute_url() + "?page=3"))):
        assert "This source asserted 7 tracked claims." in html
        ratings = html[html.index("How its assertions were rated") : html.index('id="appearances-heading"')]
        assert re.search(r"<td>False</td><td class=\"num\">2</td>", ratings)
        assert re.search(r"No verdict yet</td><td class=\"num\">5</td>", ratings)
    last = page_text(as_journalist.get(source.get_absolute_url() + "?page=3"))
    assert [n for n in range(7) if f"Rumour number {n}<" in last] == [0]


@pytest.mark.parametrize("page", ["abc", "-1", "99999", ""])
def test_source_page_with_a_bad_page_number_shows_a_page_of_appearances(as_journalist, page):
    source = factories.SourceFactory(name="Rumour Mill")
    factories.make_appearance(claim=factories.make_claim(text="The one rumour"), source=source)
    response = as_journalist.get(source.get_absolute_url(), {"page": page})
    assert response.status_code == 200
    assert "The one rumour" in page_text(response)


def test_source_page_runs_the_same_queries_whatever_its_number_of_appearances(as_journalist, editor):
    source = factories.SourceFactory(name="Rumour Mill")

    def queries_of_source_page():
        with CaptureQueriesContext(connection) as captured:
            assert as_journalist.get(source.get_absolute_url()).status_code == 200
        return len(captured)

    factories.make_appearance(claim=factories.make_claim(text="Rumour 0"), source=source, stance=Stance.ASSERTS)
    few = queries_of_source_page()
    for n in range(1, 60):
        claim = factories.make_claim(text=f"Rumour {n}")
        factories.make_appearance(claim=claim, source=source, stance=Stance.ASSERTS)
        if n % 3 == 0:
            services.publish_verdict(claim=claim, rating_name="False", author=editor)
    assert queries_of_source_page() == few


def test_review_queue_accept_edit_and_reject(as_journalist, journalist, claim, django_capture_on_commit_callbacks):
    accepted = factories.make_suggestion(claim=claim, quote="as suggested")
    edited = factories.make_suggestion(claim=claim, stance=Stance.ASSERTS, quote="machine quote")
    rejected = factories.make_suggestion(claim=claim, document=factories.DocumentFactory())
    html = page_text(as_journalist.get(reverse("claims:review")))
    assert all(f'id="pending-{s.pk}"' in html for s in (accepted, edited, rejected))

    with django_capture_on_commit_callbacks(execute=True):
        as_journalist.post(reverse("claims:review-accept", args=[accepted.pk]))
        as_journalist.post(
            reverse("claims:review-edit", args=[edited.pk]),
            {"stance": "denies", "quote": "corrected quote", "seen_at": "2026-05-02T12:00"},
        )
        as_journalist.post(reverse("claims:review-reject", args=[rejected.pk]))
    for s in (accepted, edited, rejected):
        s.refresh_from_db()
        assert s.reviewed_by == journalist and s.reviewed_at is not None
    assert (accepted.review_state, edited.review_state, rejected.review_state) == ("accepted", "accepted", "rejected")
    assert (edited.stance, edited.quote) == ("denies", "corrected quote")
    claim.refresh_from_db()
    assert (claim.asserts_count, claim.denies_count) == (1, 1)
    assert "Nothing to review" in page_text(as_journalist.get(reverse("claims:review")))


def test_a_suggestion_is_reviewed_only_once(journalist, claim):
    suggestion = factories.make_suggestion(claim=claim)
    services.reject_pending_appearance(appearance=suggestion, reviewed_by=journalist)
    with pytest.raises(services.ValidationError, match="already reviewed"):
        services.accept_pending_appearance(appearance=suggestion, reviewed_by=journalist)


def test_desk_lists_activity_proposals_suggestions_and_official_statements(as_editor, editor, claim):
    quiet = factories.make_claim(text="A quiet claim nobody mentions")
    services.change_status(claim=quiet, to_status=ClaimStatus.UNDER_REVIEW, rationale="Looking.", changed_by=editor)
    ministry = factories.SourceFactory(name="Ministry of Defence", kind=Source.Kind.OFFICIAL_BODY)
    factories.make_appearance(claim=claim, source=ministry, stance=Stance.DENIES)
    factories.make_suggestion(claim=claim, source=factories.SourceFactory(name="Suggested outlet"))
    html = page_text(as_editor.get(reverse("claims:desk")))
    activity = html[html.index('id="desk-activity"') : html.index('id="desk-proposals"')]
    assert claim.text in activity and quiet.text not in activity
    assert "Suggested outlet" in html[html.index('id="desk-pending"') :]
    assert "Ministry of Defence" in html[html.index('id="desk-official"') :]


def test_official_statements_are_the_newest_by_official_bodies_or_in_official_documents(editor, claim):
    from claims import selectors

    ministry = factories.SourceFactory(name="Ministry of Defence", kind=Source.Kind.OFFICIAL_BODY)
    outlet = factories.SourceFactory(name="Kurdistan 24")
    statement = factories.DocumentFactory(source=outlet, kind=Document.Kind.OFFICIAL_STATEMENT)
    start = timezone.now() - timedelta(days=1)

    def appearance(minutes, **kwargs):
        return factories.make_appearance(claim=claim, seen_at=start + timedelta(minutes=minutes), **kwargs)

    by_ministry = [appearance(n, source=ministry) for n in (1, 3, 5)]
    in_statement = [appearance(n, source=outlet, document=statement) for n in (2, 4)]
    both = appearance(
        6, source=ministry, document=factories.DocumentFactory(source=ministry, kind=Document.Kind.OFFICIAL_STATEMENT)
    )
    appearance(7, source=outlet)  # an outlet's article: not official
    retracted = appearance(8, source=ministry)
    services.retract_appearance(appearance=retracted, retracted_by=editor, reason="Wrong claim.")
    factories.make_suggestion(claim=claim, source=ministry)  # pending: not yet evidence

    newest_first = [both, by_ministry[2], in_statement[1], by_ministry[1], in_statement[0], by_ministry[0]]
    assert selectors.official_statements(10) == newest_first
    assert selectors.official_statements(4) == newest_first[:4]


def test_every_stored_text_is_shown_with_dir_auto(as_journalist, claim):
    factories.make_appearance(claim=claim, quote="اقتباس")
    html = page_text(as_journalist.get(claim.get_absolute_url()))
    assert f'<h1 dir="auto">{claim.text}</h1>' in html
    assert '<blockquote dir="auto">اقتباس</blockquote>' in html


def test_appearance_with_several_evidence_files(as_journalist, claim):
    files = [
        SimpleUploadedFile("a.png", factories.PNG_BYTES, content_type="image/png"),
        SimpleUploadedFile("b.pdf", factories.PDF_BYTES, content_type="application/pdf"),
    ]
    response = as_journalist.post(
        reverse("claims:appearance-create", args=[claim.pk]),
        {"new_source_name": "Channel 8", "stance": "reports", "evidence": files, "evidence_caption": "Broadcast"},
    )
    assert response.status_code == 302
    appearance = Appearance.objects.get()
    assert sorted(appearance.evidence.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]


# Search counts are bounded -----------------------------------------------------------------------


@pytest.fixture
def kirkuk_claims(monkeypatch):
    monkeypatch.setattr(views, "SEARCH_RESULTS_COUNTED", 3)
    monkeypatch.setattr(views, "CLAIMS_PER_PAGE", 2)
    for n in range(5):
        factories.make_claim(text=f"Police left Kirkuk, report {n}")
    factories.make_claim(text="Power cut in Basra")
    factories.make_claim(text="Dam closed in Mosul")


def test_a_search_matching_more_claims_than_are_counted_says_more_than_and_still_pages(as_journalist, kirkuk_claims):
    first = page_text(as_journalist.get("/claims/", {"q": "kirkuk"}))
    assert "More than 3 claims match" in first
    assert "Page 1 of 2" in first
    second = page_text(as_journalist.get("/claims/", {"q": "kirkuk", "page": 2}))
    assert "Page 2 of 2" in second
    shown = [n for n in range(5) if f"report {n}<" in first + second]
    assert len(shown) == 4  # the first pages, newest activity first; narrowing reaches the rest


def test_a_search_with_fewer_matches_than_the_bound_gives_the_exact_count(as_journalist, kirkuk_claims):
    html = page_text(as_journalist.get("/claims/", {"q": "basra"}))
    assert "1 claim, latest activity first." in html and "More than" not in html


def test_the_unsearched_list_counts_every_claim(as_journalist, kirkuk_claims):
    html = page_text(as_journalist.get("/claims/"))
    assert "7 claims, latest activity first." in html and "Page 1 of 4" in html
