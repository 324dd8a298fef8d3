"""Story changes at the edges: merges, retraction, the chart and directory counts, timestamps in the
quoted sentence, paraphrased quotes, and a re-check delivered twice."""

import pytest

from claims import selectors, services
from claims.models import Appearance, Stance
from stance.reading import passage_about
from tests import factories

pytestmark = pytest.mark.django_db

CLAIM = "Federal police withdrew from Kirkuk"


def _story_change(appearance, stance=Stance.REPORTS, passage="p1"):
    """A pending story change of an accepted appearance, as suggest_story_changes_for_revision records it."""
    revision = factories.DocumentRevisionFactory(document=appearance.document)
    return services.record_appearance(
        claim=appearance.claim,
        source=appearance.source,
        document=appearance.document,
        stance=stance,
        quote="The ministry denied it.",
        seen_at=revision.fetched_at,
        origin=Appearance.Origin.REVISION,
        recorded_by=None,
        revision=revision,
        supersedes=appearance,
        passage_sha256=passage * 32 if len(passage) == 2 else passage,
    )


def _accepted_with_document(claim, source=None):
    source = source or factories.SourceFactory()
    document = factories.DocumentFactory(source=source)
    return factories.make_appearance(claim=claim, source=source, document=document, stance=Stance.ASSERTS)


def test_merging_a_claim_whose_story_change_was_accepted_keeps_the_sources_current_stance_counted(editor):
    duplicate = factories.make_claim(CLAIM)
    survivor = factories.make_claim(CLAIM + " on Friday")
    original = _accepted_with_document(duplicate)
    change = services.accept_pending_appearance(appearance=_story_change(original), reviewed_by=editor)
    duplicate.refresh_from_db()
    assert (duplicate.asserts_count, duplicate.reports_count) == (0, 1)

    services.merge_claims(absorbed=duplicate, into=survivor, merged_by=editor, reason="Same claim")

    survivor.refresh_from_db()
    change.refresh_from_db()
    # The source now reports the claim: the merge must keep that counted on the survivor. Instead the
    # superseded original moves (it "counts" for _move_appearances, which ignores superseded_at) and
    # the accepted story change stays behind on the merged-away claim.
    assert (survivor.asserts_count, survivor.reports_count) == (0, 1)
    assert change.claim_id == survivor.pk


def test_merging_a_claim_with_a_pending_story_change_keeps_it_reviewable_on_the_survivor(editor):
    duplicate = factories.make_claim(CLAIM)
    survivor = factories.make_claim(CLAIM + " on Friday")
    original = _accepted_with_document(duplicate)
    pending = _story_change(original)

    services.merge_claims(absorbed=duplicate, into=survivor, merged_by=editor, reason="Same claim")

    pending.refresh_from_db()
    original.refresh_from_db()
    assert original.claim_id == survivor.pk
    # The story change is left on the merged-away claim: accepting it raises MergedAway, and a
    # re-check of the same passage on the survivor is refused by the unique (supersedes, passage).
    assert pending.claim_id == survivor.pk
    services.accept_pending_appearance(appearance=pending, reviewed_by=editor)


def test_a_superseded_appearance_is_not_drawn_in_the_stance_chart_as_still_asserting(editor):
    claim = factories.make_claim(CLAIM)
    original = _accepted_with_document(claim)
    services.accept_pending_appearance(appearance=_story_change(original), reviewed_by=editor)
    claim.refresh_from_db()
    assert claim.asserts_count == 0

    stances = sorted(stance for stance, _first, _last in selectors.stance_chart_rows(claim))

    # The counts say no source asserts it any more; the chart still draws the source as asserting.
    assert stances == [Stance.REPORTS]


def test_the_sources_directory_does_not_count_a_superseded_appearance_twice(editor):
    claim = factories.make_claim(CLAIM)
    source = factories.SourceFactory()
    original = _accepted_with_document(claim, source)
    services.accept_pending_appearance(appearance=_story_change(original), reviewed_by=editor)

    [counted] = selectors.with_source_counts([source])

    # One article, one claim, one stance standing: one appearance.
    assert counted.appearance_count == 1


@pytest.mark.parametrize(
    "stamp_before, stamp_after",
    [
        ("Updated 3 December 2026", "Updated 4 December 2026"),
        ("updated 10.32 GMT", "updated 10.47 GMT"),
        ("updated 5 minutes ago", "updated 20 minutes ago"),
    ],
)
def test_a_timestamp_printed_in_a_sentence_about_the_claim_does_not_change_its_passage(stamp_before, stamp_after):
    sentence = "Federal police withdrew from Kirkuk on Friday, the live page reports, {}"
    before = passage_about(CLAIM, title="Kirkuk", text=sentence.format(stamp_before))
    after = passage_about(CLAIM, title="Kirkuk", text=sentence.format(stamp_after))

    assert before == after


# Driven through real re-checks, as claims/tests/test_story_changes.py does --------------------------

from django.core.cache import cache  # noqa: E402

from sources import ingestion  # noqa: E402
from tests.httpserver import LoopbackServer  # noqa: E402
from tests.web_pages import article  # noqa: E402

LEDE = "Federal police withdrew from Kirkuk on Friday, leaving their checkpoints on the southern road empty"
OTHER = "Residents said the federal police units left their posts in Kirkuk overnight."


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    settings.FETCH_TIMEOUT = 10
    cache.clear()
    with LoopbackServer() as running:
        yield running


def _recheck(document, capture):
    with capture(execute=True):
        return ingestion.recheck_document(document_id=document.pk)


def test_a_relative_time_in_the_quoted_sentence_raises_no_story_change_when_it_moves(
    server, django_capture_on_commit_callbacks
):
    # A lede stamped with a relative time the server renders on each request (no full stop between).
    claim = factories.make_claim(CLAIM)
    source = factories.SourceFactory(name="Kurdistan 24")
    lede = LEDE + " - posted {} minutes ago"
    document = factories.DocumentFactory(
        source=source, url=server.add("/a", article("Federal police withdraw from Kirkuk", [lede.format(5), OTHER]))
    )
    _recheck(document, django_capture_on_commit_callbacks)
    original = factories.make_appearance(
        claim=claim, source=source, document=document, stance=Stance.ASSERTS, quote=lede.format(5)
    )

    server.add("/a", article("Federal police withdraw from Kirkuk", [lede.format(20), OTHER]))
    assert _recheck(document, django_capture_on_commit_callbacks).new_revision

    # Nothing the article says about the claim changed.
    assert list(Appearance.objects.filter(supersedes=original)) == []


def test_a_quote_that_was_never_in_the_article_is_not_a_story_change_when_the_stance_holds(
    server, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("stance.reading.load_model", lambda: None)  # only the quote tells
    claim = factories.make_claim(CLAIM)
    source = factories.SourceFactory(name="Kurdistan 24")
    document = factories.DocumentFactory(
        source=source, url=server.add("/a", article("Federal police withdraw from Kirkuk", [LEDE + ".", OTHER]))
    )
    _recheck(document, django_capture_on_commit_callbacks)
    # The journalist's quote is a translation of the Kurdish edition: not in this text, before or after.
    original = factories.make_appearance(
        claim=claim, source=source, document=document, stance=Stance.ASSERTS, quote="Police left Kirkuk, says K24"
    )

    # A copy edit of a sentence about the claim; the claim is still asserted.
    edited = OTHER.replace("overnight", "during the night")
    server.add("/a", article("Federal police withdraw from Kirkuk", [LEDE + ".", edited]))
    assert _recheck(document, django_capture_on_commit_callbacks).new_revision

    # quote_gone is True only because the quote never was there: "has lost the quote" should
    # compare with the previous revision.
    assert list(Appearance.objects.filter(supersedes=original)) == []


def test_retracting_a_wrongly_accepted_story_change_leaves_the_source_standing_again(editor):
    claim = factories.make_claim(CLAIM)
    original = _accepted_with_document(claim)
    change = services.accept_pending_appearance(appearance=_story_change(original), reviewed_by=editor)

    services.retract_appearance(appearance=change, retracted_by=editor, reason="Misread the rewrite")

    claim.refresh_from_db()
    original.refresh_from_db()
    # The only undo of an acceptance is a retraction; the original stays superseded for ever, so the
    # source counts for nothing, drops out of ClaimReview's appearance, and is never re-checked again.
    assert original.superseded_at is None
    assert claim.asserts_count == 1


REWRITTEN_TITLE = "Iraq denies federal police withdrew from Kirkuk"
REWRITTEN = [
    "Iraq's Defence Ministry denied on Saturday that federal police withdrew from Kirkuk, calling the "
    "reports fabricated.",
    "The ministry said federal police units in Kirkuk remained at their positions across the province.",
]


def test_the_same_revision_rechecked_again_after_an_acceptance_raises_nothing_more(
    server, django_capture_on_commit_callbacks, editor
):
    from tests.services import require_stance_model

    require_stance_model()
    claim = factories.make_claim(CLAIM)
    source = factories.SourceFactory(name="Kurdistan 24")
    document = factories.DocumentFactory(
        source=source, url=server.add("/a", article("Federal police withdraw from Kirkuk", [LEDE + ".", OTHER]))
    )
    _recheck(document, django_capture_on_commit_callbacks)
    original = factories.make_appearance(
        claim=claim, source=source, document=document, stance=Stance.ASSERTS, quote=LEDE
    )
    server.add("/a", article(REWRITTEN_TITLE, REWRITTEN))
    _recheck(document, django_capture_on_commit_callbacks)
    [change] = Appearance.objects.filter(supersedes=original)
    # The reviewer corrects the classifier's stance when accepting (it allows that).
    corrected = Stance.REPORTS if change.stance != Stance.REPORTS else Stance.DENIES
    services.accept_pending_appearance(appearance=change, reviewed_by=editor, stance=corrected)

    # The task for that revision delivered again (acks_late redelivery, or the outbox's re-send).
    services.suggest_story_changes_for_revision(revision_id=change.revision_id)

    # The passage the reviewer just ruled on is not raised again against the accepted story change.
    assert list(Appearance.objects.filter(origin=Appearance.Origin.REVISION, review_state="pending")) == []
