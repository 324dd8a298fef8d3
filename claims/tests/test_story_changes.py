"""Stories that change: a rewritten article is re-checked against the claims it was accepted for, a
"story changed" suggestion waits for review, and accepting it supersedes the old appearance; a page
taken down or moved shows on the timeline. Pages are real HTTP served on loopback."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from claims import selectors, services
from claims.models import Appearance, Stance
from sources import ingestion
from sources.models import DocumentAvailabilityChange
from sources.services import record_revision
from tests import factories
from tests.httpserver import LoopbackServer
from tests.services import require_stance_model
from tests.web_pages import article

pytestmark = pytest.mark.django_db

CLAIM = "Federal police withdrew from Kirkuk"
ASSERTING_TITLE = "Federal police withdraw from Kirkuk"
ASSERTING = [
    "Federal police withdrew from Kirkuk on Friday, leaving their checkpoints on the southern road empty.",
    "Residents said the federal police units left their posts in Kirkuk overnight.",
    "The newsroom will update this story.",
]
REPORTING_DENIAL_TITLE = "Iraq denies federal police withdrew from Kirkuk"
REPORTING_DENIAL = [
    "Iraq's Defence Ministry denied on Saturday that federal police withdrew from Kirkuk, calling the "
    "reports fabricated.",
    "The ministry said federal police units in Kirkuk remained at their positions across the province.",
    "The newsroom will update this story.",
]


@pytest.fixture(autouse=True)
def fetch_settings(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    settings.FETCH_TIMEOUT = 10
    cache.clear()  # robots.txt answers of an earlier test's server


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def page(title, paragraphs, stamp="Updated 10:32"):
    return article(title, [*paragraphs, stamp])


@pytest.fixture
def accepted(server, django_capture_on_commit_callbacks):
    """Kurdistan 24's article, as first fetched, accepted as asserting the claim."""
    claim = factories.make_claim(CLAIM)
    source = factories.SourceFactory(name="Kurdistan 24")
    document = factories.DocumentFactory(source=source, url=server.add("/a", page(ASSERTING_TITLE, ASSERTING)))
    with django_capture_on_commit_callbacks(execute=True):
        first = ingestion.recheck_document(document_id=document.pk)
    assert first.new_revision and not first.error
    appearance = factories.make_appearance(
        claim=claim, source=source, document=document, stance=Stance.ASSERTS, quote=ASSERTING[0]
    )
    return appearance


def recheck(appearance, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return ingestion.recheck_document(document_id=appearance.document_id)


def story_changes(appearance):
    return list(Appearance.objects.filter(supersedes=appearance, origin=Appearance.Origin.REVISION))


def test_article_rewritten_to_report_the_denial_raises_exactly_one_story_change(
    server, accepted, django_capture_on_commit_callbacks
):
    require_stance_model()
    server.add("/a", page(REPORTING_DENIAL_TITLE, REPORTING_DENIAL))

    assert recheck(accepted, django_capture_on_commit_callbacks).new_revision

    [change] = story_changes(accepted)
    assert change.review_state == Appearance.ReviewState.PENDING
    assert change.stance in (Stance.DENIES, Stance.REPORTS)
    assert change.source == accepted.source and change.document == accepted.document
    assert change.revision == accepted.document.revisions.latest()
    assert change.quote  # the new evidence sentence
    assert change in selectors.pending_appearances()
    # Pending: the old appearance still counts as asserting.
    accepted.claim.refresh_from_db()
    assert (accepted.claim.asserts_count, accepted.claim.denies_count, accepted.claim.reports_count) == (1, 0, 0)


def test_a_page_whose_timestamp_changes_on_every_fetch_raises_no_story_change(
    server, accepted, django_capture_on_commit_callbacks
):
    for minute in ("10:33", "10:34", "10:35"):
        server.add("/a", page(ASSERTING_TITLE, ASSERTING, stamp=f"Updated {minute}"))
        assert recheck(accepted, django_capture_on_commit_callbacks).new_revision  # the page did change

    assert story_changes(accepted) == []


def test_a_rejected_story_change_is_remembered_across_further_rechecks(
    server, accepted, django_capture_on_commit_callbacks, editor
):
    require_stance_model()
    server.add("/a", page(REPORTING_DENIAL_TITLE, REPORTING_DENIAL))
    recheck(accepted, django_capture_on_commit_callbacks)
    [change] = story_changes(accepted)
    services.reject_pending_appearance(appearance=change, reviewed_by=editor)

    # The same rewritten text again (only its timestamp moves), re-checked twice.
    for minute in ("11:00", "11:05"):
        server.add("/a", page(REPORTING_DENIAL_TITLE, REPORTING_DENIAL, stamp=f"Updated {minute}"))
        recheck(accepted, django_capture_on_commit_callbacks)
    # And the same revision matched again (a redelivered task).
    services.suggest_story_changes_for_revision(revision_id=accepted.document.revisions.latest().pk)

    assert [(c.pk, c.review_state) for c in story_changes(accepted)] == [(change.pk, "rejected")]


def test_accepting_a_story_change_supersedes_the_old_appearance_and_the_counts_follow(
    server, accepted, django_capture_on_commit_callbacks, editor, client
):
    require_stance_model()
    server.add("/a", page(REPORTING_DENIAL_TITLE, REPORTING_DENIAL))
    recheck(accepted, django_capture_on_commit_callbacks)
    [change] = story_changes(accepted)

    accepted_change = services.accept_pending_appearance(appearance=change, reviewed_by=editor)

    accepted.refresh_from_db()
    assert accepted.superseded_at is not None
    assert accepted.stance == Stance.ASSERTS and accepted.quote == ASSERTING[0]  # never edited in place
    assert accepted.review_state == "accepted" and accepted.retracted_at is None
    claim = accepted.claim
    claim.refresh_from_db()
    counts = {
        Stance.ASSERTS: claim.asserts_count,
        Stance.DENIES: claim.denies_count,
        Stance.REPORTS: claim.reports_count,
    }
    assert counts[Stance.ASSERTS] == 0 and counts[accepted_change.stance] == 1

    client.force_login(editor)
    body = client.get(claim.get_absolute_url()).content.decode()
    assert "Kurdistan 24 revised its article" in body
    assert f"#revision-{accepted_change.revision_id}" in body  # the word diff
    assert "Superseded: the article was revised" in body


def test_accepting_a_story_change_twice_or_for_a_superseded_appearance_is_refused(
    server, accepted, django_capture_on_commit_callbacks, editor
):
    require_stance_model()
    server.add("/a", page(REPORTING_DENIAL_TITLE, REPORTING_DENIAL))
    recheck(accepted, django_capture_on_commit_callbacks)
    [first] = story_changes(accepted)
    # A second rewrite raises a second story change for the same appearance.
    server.add("/a", page("Kirkuk: the ministry's denial", [REPORTING_DENIAL[1], "Police remain in Kirkuk."]))
    recheck(accepted, django_capture_on_commit_callbacks)
    second = [c for c in story_changes(accepted) if c.pk != first.pk]

    services.accept_pending_appearance(appearance=first, reviewed_by=editor)

    for other in second:  # settled by the first decision
        other.refresh_from_db()
        assert other.review_state == "rejected"
    with pytest.raises(services.ValidationError):
        services.accept_pending_appearance(appearance=first, reviewed_by=editor)
    assert Appearance.objects.filter(supersedes=accepted, review_state="accepted").count() == 1


def test_story_changes_are_raised_only_for_standing_accepted_appearances(
    server, accepted, django_capture_on_commit_callbacks, editor
):
    services.retract_appearance(appearance=accepted, retracted_by=editor, reason="Wrong article")
    server.add("/a", page(REPORTING_DENIAL_TITLE, REPORTING_DENIAL))

    recheck(accepted, django_capture_on_commit_callbacks)

    assert story_changes(accepted) == []


def test_without_a_model_a_quote_that_is_gone_still_raises_a_story_change_for_the_reviewer(
    server, accepted, django_capture_on_commit_callbacks, editor, monkeypatch
):
    monkeypatch.setattr("stance.reading.load_model", lambda: None)
    server.add("/a", page(REPORTING_DENIAL_TITLE, REPORTING_DENIAL))

    recheck(accepted, django_capture_on_commit_callbacks)

    [change] = story_changes(accepted)
    assert change.stance == ""  # the reviewer chooses it
    with pytest.raises(services.ValidationError):
        services.accept_pending_appearance(appearance=change, reviewed_by=editor)
    services.accept_pending_appearance(appearance=change, reviewed_by=editor, stance=Stance.REPORTS)
    accepted.refresh_from_db()
    assert accepted.superseded_at is not None


def test_a_page_that_now_answers_404_is_shown_as_removed_once_and_back_when_it_returns(
    server, accepted, django_capture_on_commit_callbacks, editor, client
):
    server.add("/a", b"gone", status=404, content_type="text/plain")
    version_before = accepted.claim.timeline_version

    outcome = recheck(accepted, django_capture_on_commit_callbacks)
    recheck(accepted, django_capture_on_commit_callbacks)  # still gone: one event

    assert "404" in outcome.error
    [removed] = DocumentAvailabilityChange.objects.filter(document=accepted.document)
    assert (removed.state, removed.http_status) == ("removed", 404)
    accepted.claim.refresh_from_db()
    assert accepted.claim.timeline_version > version_before  # open pages update
    client.force_login(editor)
    body = client.get(accepted.claim.get_absolute_url()).content.decode()
    assert "Page removed" in body and "now answers HTTP 404" in body

    server.add("/a", page(ASSERTING_TITLE, ASSERTING))
    recheck(accepted, django_capture_on_commit_callbacks)
    states = list(DocumentAvailabilityChange.objects.filter(document=accepted.document).values_list("state", flat=True))
    assert states == ["removed", "restored"]


def test_a_page_that_redirects_elsewhere_is_shown_as_moved_and_not_stored_as_a_revision(
    server, accepted, django_capture_on_commit_callbacks, editor, client
):
    home = server.add("/", article("Kurdistan 24 home", ["The latest news from the region, every hour."]))
    server.add("/a", b"", status=301, headers={"Location": home})
    revisions_before = accepted.document.revisions.count()

    recheck(accepted, django_capture_on_commit_callbacks)

    [moved] = DocumentAvailabilityChange.objects.filter(document=accepted.document)
    assert (moved.state, moved.location) == ("moved", home)
    assert accepted.document.revisions.count() == revisions_before
    assert story_changes(accepted) == []
    client.force_login(editor)
    assert "Page moved" in client.get(accepted.claim.get_absolute_url()).content.decode()


def test_a_redirect_to_the_same_page_over_https_or_with_a_slash_is_not_a_move(accepted):
    document = accepted.document
    fetched = ingestion.FetchedArticle(
        url=document.url.replace("http://", "https://") + "/",
        article=type("Article", (), {"canonical_url": ""})(),
        validators={},
    )
    assert ingestion._moved_to(document, fetched) == ""


def test_a_document_first_seen_raises_no_story_change(accepted):
    [only] = accepted.document.revisions.all()
    assert services.suggest_story_changes_for_revision(revision_id=only.pk) == []


def test_an_edited_text_that_keeps_the_quote_and_the_stance_raises_nothing(
    accepted, django_capture_on_commit_callbacks
):
    require_stance_model()
    with django_capture_on_commit_callbacks(execute=True):
        record_revision(
            document=accepted.document,
            title=ASSERTING_TITLE,
            text="\n".join([ASSERTING[0], ASSERTING[1] + " Witnesses confirmed it.", ASSERTING[2]]),
        )
    assert story_changes(accepted) == []


DEMO_ASSERTING_TITLE = "Federal police pull out of Kirkuk ahead of IS attack"
DEMO_ASSERTING = [
    "Iraq's federal police withdrew from Kirkuk Province on Friday ahead of an imminent IS attack, "
    "local officials said.",
    "Federal police units left their checkpoints across Kirkuk overnight, residents told the newsroom.",
]
DEMO_REWRITTEN_TITLE = "Iraq denies federal police withdrew from Kirkuk"
DEMO_REWRITTEN = [
    "Iraq's Ministry of Defence denied on Saturday that federal police withdrew from Kirkuk Province, "
    "calling reports of a withdrawal ahead of an IS attack fabricated.",
    "The ministry said federal police units remained at their positions across Kirkuk.",
]


def test_the_demo_claim_end_to_end_ingested_accepted_rewritten_rejected_and_removed(
    server, django_capture_on_commit_callbacks, editor, client
):
    """The issue's scenario, over real HTTP: an article asserting the demo claim is ingested from a
    feed and accepted; rewritten to report the denial, the re-check raises exactly one story change;
    rejecting it holds through further re-checks; deleting the page shows it removed."""
    from claims.demo import CLAIM_SLUG, load_demo
    from claims.models import Claim
    from tests.web_pages import rss

    require_stance_model()
    load_demo()
    claim = Claim.objects.get(slug=CLAIM_SLUG)
    outlet = factories.SourceFactory(name="Rudaw")
    story = server.add("/story", page(DEMO_ASSERTING_TITLE, DEMO_ASSERTING))
    feed = factories.FeedFactory(source=outlet, url=server.add("/feed.xml", rss([(story, DEMO_ASSERTING_TITLE)])))
    outcome = ingestion.poll_feed(feed_id=feed.pk)
    with django_capture_on_commit_callbacks(execute=True):
        for entry_id in outcome.pending_entry_ids:
            ingestion.fetch_entry(entry_id=entry_id)
    suggestion = Appearance.objects.get(claim=claim, source=outlet, origin=Appearance.Origin.SUGGESTED)
    appearance = services.accept_pending_appearance(appearance=suggestion, reviewed_by=editor, stance=Stance.ASSERTS)

    server.add("/story", page(DEMO_REWRITTEN_TITLE, DEMO_REWRITTEN))
    recheck(appearance, django_capture_on_commit_callbacks)
    [change] = story_changes(appearance)
    assert change.stance in (Stance.DENIES, Stance.REPORTS)
    client.force_login(editor)
    queue = client.get(reverse("claims:review")).content.decode()
    assert "Story changed" in queue and "Rudaw revised its article" in queue

    services.reject_pending_appearance(appearance=change, reviewed_by=editor)
    server.add("/story", page(DEMO_REWRITTEN_TITLE, DEMO_REWRITTEN, stamp="Updated 18:01"))
    recheck(appearance, django_capture_on_commit_callbacks)
    assert [c.review_state for c in story_changes(appearance)] == ["rejected"]

    server.add("/story", b"", status=410, content_type="text/plain")
    recheck(appearance, django_capture_on_commit_callbacks)
    body = client.get(claim.get_absolute_url()).content.decode()
    assert "Page removed" in body and "Rudaw's page now answers HTTP 410." in body
