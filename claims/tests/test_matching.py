"""Every stored article is matched to the tracked claims; each match becomes a pending suggestion
with a stance and its evidence sentence, and a rejected suggestion stays rejected."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims import services
from claims.demo import CLAIM_SLUG, load_demo
from claims.models import Appearance, Claim
from stance.classifier import load_model
from tests import factories
from tests.services import require_stance_model

pytestmark = pytest.mark.django_db

RUDAW_TITLE = "Baghdad says no withdrawal of federal police from Kirkuk"
RUDAW_TEXT = """Iraq's Ministry of Defence on Saturday rejected reports that federal police had withdrawn from Kirkuk.

Photos shared on social media on Friday appeared to show empty checkpoints and military posts in the province.

In a statement, the ministry called the reports fabricated and said security forces had not left their stations.

"The security forces are continuing their normal duties, and there is no withdrawal," the statement said."""

FOOTBALL_TITLE = "Late penalty hands Erbil SC a narrow win over Zakho"
FOOTBALL_TEXT = """Erbil SC beat Zakho 2-1 on Sunday after a penalty in the last minute of stoppage time.

The visitors had equalised early in the second half through a header from a corner.

The coach praised his players for their patience and said the team would now focus on the cup semi-final next week.

Around twelve thousand fans watched the match at Franso Hariri Stadium."""


@pytest.fixture
def kirkuk_claim(db):
    load_demo()
    return Claim.objects.get(slug=CLAIM_SLUG)


def ingest(django_capture_on_commit_callbacks, **article):
    # record_revision queues claims.tasks.match_document_revision on commit; tasks run eagerly here.
    with django_capture_on_commit_callbacks(execute=True):
        return factories.ingest_article(**article)


def suggestions_for(revision):
    return list(Appearance.objects.filter(document=revision.document, origin=Appearance.Origin.SUGGESTED))


def test_article_with_the_ministrys_denial_is_suggested_as_denying_the_kirkuk_claim(
    kirkuk_claim, django_capture_on_commit_callbacks
):
    require_stance_model()
    revision = ingest(django_capture_on_commit_callbacks, title=RUDAW_TITLE, text=RUDAW_TEXT)

    [suggestion] = suggestions_for(revision)
    assert suggestion.claim == kirkuk_claim
    assert suggestion.stance == "denies"
    assert suggestion.review_state == Appearance.ReviewState.PENDING
    assert suggestion.source == revision.document.source
    assert suggestion.recorded_by is None
    assert 0 < suggestion.confidence <= 1
    assert suggestion.quote in RUDAW_TITLE + RUDAW_TEXT
    assert "withdr" in suggestion.quote


def test_football_report_is_not_matched_to_the_kirkuk_claim(kirkuk_claim, django_capture_on_commit_callbacks):
    revision = ingest(django_capture_on_commit_callbacks, title=FOOTBALL_TITLE, text=FOOTBALL_TEXT)

    assert suggestions_for(revision) == []


def test_suggestions_are_not_counted_in_the_claims_stance_counts(kirkuk_claim, django_capture_on_commit_callbacks):
    counts_before = (kirkuk_claim.asserts_count, kirkuk_claim.denies_count, kirkuk_claim.reports_count)
    ingest(django_capture_on_commit_callbacks, title=RUDAW_TITLE, text=RUDAW_TEXT)

    kirkuk_claim.refresh_from_db()
    assert (kirkuk_claim.asserts_count, kirkuk_claim.denies_count, kirkuk_claim.reports_count) == counts_before


def test_rejected_suggestion_is_not_proposed_again(kirkuk_claim, editor, django_capture_on_commit_callbacks):
    revision = ingest(django_capture_on_commit_callbacks, title=RUDAW_TITLE, text=RUDAW_TEXT)
    [suggestion] = suggestions_for(revision)
    # The review services belong to the review queue; rejecting is this state change.
    Appearance.objects.filter(pk=suggestion.pk).update(
        review_state=Appearance.ReviewState.REJECTED, reviewed_by=editor, reviewed_at=timezone.now()
    )

    # The article is rewritten (a new revision is matched again), and the task is redelivered.
    with django_capture_on_commit_callbacks(execute=True):
        factories.ingest_article(
            title=RUDAW_TITLE, text=RUDAW_TEXT + "\n\nThis article was updated.", url=revision.document.url
        )
    assert services.suggest_appearances_for_revision(revision_id=revision.pk) == []

    [only] = suggestions_for(revision)
    assert only.pk == suggestion.pk
    assert only.review_state == Appearance.ReviewState.REJECTED


def test_matching_the_same_revision_twice_suggests_each_pair_once(kirkuk_claim, django_capture_on_commit_callbacks):
    revision = ingest(django_capture_on_commit_callbacks, title=RUDAW_TITLE, text=RUDAW_TEXT)

    assert services.suggest_appearances_for_revision(revision_id=revision.pk) == []
    assert len(suggestions_for(revision)) == 1


def test_document_with_a_manual_appearance_is_not_suggested_for_that_claim(
    kirkuk_claim, journalist, django_capture_on_commit_callbacks
):
    revision = factories.ingest_article(title=RUDAW_TITLE, text=RUDAW_TEXT)
    services.record_appearance(
        claim=kirkuk_claim,
        source=revision.document.source,
        document=revision.document,
        stance="denies",
        recorded_by=journalist,
    )

    assert services.suggest_appearances_for_revision(revision_id=revision.pk) == []


def test_archived_claims_are_not_matched(kirkuk_claim, django_capture_on_commit_callbacks):
    Claim.objects.filter(pk=kirkuk_claim.pk).update(is_archived=True)

    revision = ingest(django_capture_on_commit_callbacks, title=RUDAW_TITLE, text=RUDAW_TEXT)

    assert suggestions_for(revision) == []


def test_a_claim_logged_after_the_article_is_found_when_the_article_changes(
    journalist, django_capture_on_commit_callbacks
):
    revision = ingest(django_capture_on_commit_callbacks, title=RUDAW_TITLE, text=RUDAW_TEXT)
    assert suggestions_for(revision) == []
    claim = factories.make_claim(text="Federal police withdrew from Kirkuk", created_by=journalist)

    with django_capture_on_commit_callbacks(execute=True):
        factories.ingest_article(title=RUDAW_TITLE, text=RUDAW_TEXT + "\n\nUpdated.", url=revision.document.url)

    [suggestion] = suggestions_for(revision)
    assert suggestion.claim == claim


def test_without_a_model_matches_are_suggested_with_the_stance_left_for_review(
    kirkuk_claim, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.CLAIMTRACK_STANCE_MODEL_DIR = tmp_path / "no-model-here"
    assert load_model() is None

    matched = ingest(django_capture_on_commit_callbacks, title=RUDAW_TITLE, text=RUDAW_TEXT)
    unmatched = ingest(django_capture_on_commit_callbacks, title=FOOTBALL_TITLE, text=FOOTBALL_TEXT)

    [suggestion] = suggestions_for(matched)
    assert suggestion.claim == kirkuk_claim
    assert suggestion.stance == ""
    assert suggestion.needs_stance
    assert suggestion.confidence is None
    assert suggestions_for(unmatched) == []


def test_database_refuses_a_second_suggestion_for_the_same_claim_and_document(kirkuk_claim):
    revision = factories.ingest_article(title=RUDAW_TITLE, text=RUDAW_TEXT)
    fields = {
        "claim": kirkuk_claim,
        "source": revision.document.source,
        "document": revision.document,
        "stance": "denies",
        "origin": Appearance.Origin.SUGGESTED,
    }
    Appearance.objects.create(**fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        Appearance.objects.create(**fields)


def test_database_refuses_an_accepted_appearance_without_a_stance(kirkuk_claim):
    source = factories.SourceFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Appearance.objects.create(claim=kirkuk_claim, source=source, stance="", review_state="accepted")


def test_manual_appearance_still_needs_a_stance(kirkuk_claim, journalist):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.record_appearance(
            claim=kirkuk_claim, source=factories.SourceFactory(), stance="", recorded_by=journalist
        )


def test_a_claims_edited_text_is_what_matching_searches(journalist):
    from claims.search import candidate_claim_ids

    claim = factories.make_claim(text="The mayor banned fireworks in Basra", created_by=journalist)
    assert candidate_claim_ids(["fireworks"], limit=5) == [claim.pk]

    claim.text = "The governor closed the bridges of Basra"
    claim.save()

    assert candidate_claim_ids(["fireworks"], limit=5) == []
    assert candidate_claim_ids(["bridges"], limit=5) == [claim.pk]


def test_matching_a_revision_that_does_not_exist_does_nothing():
    from claims.tasks import match_document_revision

    match_document_revision.delay(987654)

    assert not Appearance.objects.exists()


def test_reviewed_suggestions_become_training_examples(kirkuk_claim, editor, django_capture_on_commit_callbacks):
    from claims.selectors import reviewed_suggestions

    denial = ingest(django_capture_on_commit_callbacks, title=RUDAW_TITLE, text=RUDAW_TEXT)
    other = ingest(django_capture_on_commit_callbacks, title=RUDAW_TITLE + " (copy)", text=RUDAW_TEXT)
    [accepted] = suggestions_for(denial)
    [rejected] = suggestions_for(other)
    # A journalist accepts the first, correcting its stance, and rejects the second.
    Appearance.objects.filter(pk=accepted.pk).update(review_state="accepted", stance="reports", reviewed_by=editor)
    Appearance.objects.filter(pk=rejected.pk).update(review_state="rejected", reviewed_by=editor)

    assert reviewed_suggestions() == [
        (kirkuk_claim.text, RUDAW_TEXT, RUDAW_TITLE, "reports"),
        (kirkuk_claim.text, RUDAW_TEXT, RUDAW_TITLE + " (copy)", "unrelated"),
    ]


def test_scanning_claims_finds_what_the_database_search_finds(journalist):
    from claims import search

    fireworks = factories.make_claim(text="The mayor banned fireworks in Basra", created_by=journalist)
    factories.make_claim(text="Erbil SC signed a new striker", created_by=journalist)
    archived = factories.make_claim(text="Fireworks were banned in Basra last year", created_by=journalist)
    Claim.objects.filter(pk=archived.pk).update(is_archived=True)

    words = ["fireworks", "basra", "mayor"]
    assert search._scan_candidates(words, 5) == search.candidate_claim_ids(words, limit=5) == [fireworks.pk]
