"""Services behind the newsroom pages: evidence checks, suggestions, proposals."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from claims import selectors, services
from claims.models import Appearance, ClaimStatus, Stance
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (factories.PNG_BYTES, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (factories.PDF_BYTES, "application/pdf"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_evidence_type_comes_from_the_first_bytes(content, expected):
    assert services.sniff_evidence_type(content) == expected


def test_evidence_size_is_checked_on_the_bytes_not_the_declared_size(claim, journalist, settings):
    settings.CLAIMTRACK_EVIDENCE_MAX_BYTES = 100
    upload = SimpleUploadedFile("a.pdf", factories.PDF_BYTES + b"x" * 200)
    upload.size = 10  # a lying size
    with pytest.raises(ValidationError, match="larger than"):
        services.upload_evidence(uploaded_file=upload, uploaded_by=journalist, claim=claim)


def test_accepting_a_suggestion_records_who_and_when_and_counts_it(
    claim, journalist, django_capture_on_commit_callbacks
):
    suggestion = factories.make_suggestion(claim=claim, stance=Stance.DENIES)
    claim.refresh_from_db()
    assert claim.denies_count == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_pending_appearance(appearance=suggestion, reviewed_by=journalist)
    suggestion.refresh_from_db()
    claim.refresh_from_db()
    assert (suggestion.review_state, suggestion.reviewed_by) == (Appearance.ReviewState.ACCEPTED, journalist)
    assert suggestion.reviewed_at is not None
    assert claim.denies_count == 1


def test_rejected_suggestion_is_kept_for_its_claim_and_document(claim, journalist):
    document = factories.DocumentFactory()
    suggestion = factories.make_suggestion(claim=claim, document=document)
    services.reject_pending_appearance(appearance=suggestion, reviewed_by=journalist)
    # The row stays: matching reads it as "never propose this document for this claim again".
    assert Appearance.objects.filter(
        claim=claim, document=document, review_state=Appearance.ReviewState.REJECTED
    ).exists()
    assert not selectors.pending_appearances().exists()


def test_accepting_with_an_unknown_stance_changes_nothing(claim, journalist):
    suggestion = factories.make_suggestion(claim=claim)
    with pytest.raises(ValidationError):
        services.accept_pending_appearance(appearance=suggestion, reviewed_by=journalist, stance="shrugs")
    suggestion.refresh_from_db()
    assert suggestion.review_state == Appearance.ReviewState.PENDING


def test_proposal_needs_a_rationale_and_a_different_status(claim, journalist):
    with pytest.raises(ValidationError, match="rationale"):
        services.propose_status_change(claim=claim, to_status=ClaimStatus.FALSE, rationale=" ", proposed_by=journalist)
    with pytest.raises(ValidationError, match="already has this status"):
        services.propose_status_change(
            claim=claim, to_status=ClaimStatus.UNVERIFIED, rationale="Same.", proposed_by=journalist
        )


def test_similar_claims_work_in_arabic(journalist):
    existing = factories.make_claim(text="انسحاب الشرطة الاتحادية من محافظة كركوك")
    factories.make_claim(text="ارتفاع أسعار الوقود في البصرة")
    assert selectors.similar_claims("الشرطة الاتحادية تنسحب من كركوك") == [existing]


def test_record_appearance_with_source_reuses_a_source_by_name(claim, journalist):
    source = factories.SourceFactory(name="Rudaw")
    appearance = services.record_appearance_with_source(
        claim=claim, recorded_by=journalist, stance=Stance.REPORTS, new_source_name="rudaw"
    )
    assert appearance.source == source


def test_a_suggestion_without_a_stance_must_be_given_one_before_it_is_accepted(claim, journalist):
    suggestion = factories.make_suggestion(claim=claim, document=factories.DocumentFactory(), stance="")
    with pytest.raises(ValidationError) as error:
        services.accept_pending_appearance(appearance=suggestion, reviewed_by=journalist)
    assert "stance" in error.value.message_dict
    suggestion.refresh_from_db()
    assert suggestion.review_state == Appearance.ReviewState.PENDING

    accepted = services.accept_pending_appearance(appearance=suggestion, reviewed_by=journalist, stance="denies")
    assert (accepted.stance, accepted.review_state) == ("denies", Appearance.ReviewState.ACCEPTED)
