"""A claim's status changes only through services.change_status, and every change is kept."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from claims import services
from claims.models import Claim, ClaimStatus, StatusChange

pytestmark = pytest.mark.django_db


def test_new_claim_starts_unverified_with_its_first_timeline_entry(claim, journalist):
    assert claim.status == ClaimStatus.UNVERIFIED
    [first] = StatusChange.objects.filter(claim=claim)
    assert (first.from_status, first.to_status, first.changed_by) == ("", ClaimStatus.UNVERIFIED, journalist)


def test_editor_can_mark_claim_false_with_rationale(claim, editor):
    change = services.change_status(
        claim=claim, to_status=ClaimStatus.FALSE, rationale="Ministry statement and site visit.", changed_by=editor
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FALSE
    assert claim.status_changed_at == change.changed_at
    assert (change.from_status, change.to_status, change.changed_by) == (
        ClaimStatus.UNVERIFIED,
        ClaimStatus.FALSE,
        editor,
    )


def test_every_status_change_is_kept_in_order(claim, editor):
    path = [ClaimStatus.UNDER_REVIEW, ClaimStatus.DISPUTED, ClaimStatus.UNPROVEN, ClaimStatus.FALSE]
    for status in path:
        services.change_status(claim=claim, to_status=status, rationale=f"now {status}", changed_by=editor)
    changes = list(StatusChange.objects.filter(claim=claim).order_by("changed_at", "id"))
    assert [c.to_status for c in changes] == [ClaimStatus.UNVERIFIED, *path]
    assert [c.from_status for c in changes] == ["", ClaimStatus.UNVERIFIED, *path[:-1]]
    claim.refresh_from_db()
    assert claim.status == changes[-1].to_status


def test_status_change_without_rationale_is_refused_and_nothing_changes(claim, editor):
    with pytest.raises(ValidationError) as error:
        services.change_status(claim=claim, to_status=ClaimStatus.FALSE, rationale="   ", changed_by=editor)
    assert "rationale" in error.value.message_dict
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNVERIFIED
    assert StatusChange.objects.filter(claim=claim).count() == 1


def test_unknown_status_code_is_refused(claim, editor):
    with pytest.raises(ValidationError):
        services.change_status(claim=claim, to_status="fake-news", rationale="why", changed_by=editor)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNVERIFIED


def test_changing_to_the_current_status_is_refused(claim, editor):
    with pytest.raises(ValidationError):
        services.change_status(claim=claim, to_status=ClaimStatus.UNVERIFIED, rationale="again", changed_by=editor)
    assert StatusChange.objects.filter(claim=claim).count() == 1


def test_saving_a_claim_never_writes_its_status(claim):
    claim.status = ClaimStatus.CONFIRMED
    claim.summary = "Edited summary"
    claim.save()
    claim.refresh_from_db()
    assert claim.summary == "Edited summary"
    assert claim.status == ClaimStatus.UNVERIFIED


def test_status_change_rows_cannot_be_edited_or_deleted(claim):
    change = StatusChange.objects.get(claim=claim)
    change.rationale = "rewritten history"
    with pytest.raises(PermissionError):
        change.save()
    with pytest.raises(PermissionError):
        change.delete()
    with pytest.raises(PermissionError):
        StatusChange.objects.filter(pk=change.pk).update(rationale="rewritten")
    with pytest.raises(PermissionError):
        StatusChange.objects.filter(pk=change.pk).delete()
    change.refresh_from_db()
    assert change.rationale == services.INITIAL_RATIONALE


def test_a_claim_with_a_timeline_cannot_be_deleted(claim):
    with pytest.raises(IntegrityError):
        Claim.objects.filter(pk=claim.pk).delete()


def test_status_change_based_on_a_stale_page_is_a_conflict(claim, editor):
    services.change_status(claim=claim, to_status=ClaimStatus.DISPUTED, rationale="first editor", changed_by=editor)
    with pytest.raises(services.StatusConflict):
        services.change_status(
            claim=claim.pk,
            to_status=ClaimStatus.FALSE,
            rationale="second editor saw an older page",
            changed_by=editor,
            expected_status=ClaimStatus.UNVERIFIED,
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DISPUTED


def test_status_change_is_atomic_with_its_row(claim, editor, monkeypatch):
    """If the claim update fails, the StatusChange row is not kept either."""

    def broken_touch(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_touch", broken_touch)
    with pytest.raises(RuntimeError):
        services.change_status(claim=claim, to_status=ClaimStatus.FALSE, rationale="r", changed_by=editor)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNVERIFIED
    assert StatusChange.objects.filter(claim=claim).count() == 1
