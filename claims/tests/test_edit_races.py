"""Edits and appearances at once: each edit records what it really changed, and the stance counts
(recomputed in the writing transaction) miss no appearance. Real threads with their own
connections (claims/tests/test_races.py); on PostgreSQL they overlap."""

import pytest

from claims import services
from claims.models import Claim, ClaimEdit, Stance
from claims.tests.test_races import run_at_once
from tests.factories import JournalistFactory, SourceFactory, make_appearance, make_claim

pytestmark = [pytest.mark.once, pytest.mark.django_db(transaction=True)]


def test_two_edits_of_the_same_claim_at_once_are_applied_one_after_the_other():
    claim = make_claim(text="The bridge at Fallujah has collapsed")
    first, second = JournalistFactory(), JournalistFactory()
    outcomes = run_at_once(
        lambda: services.update_claim(claim_id=claim.pk, edited_by=first, text="The Fallujah bridge collapsed"),
        lambda: services.update_claim(claim_id=claim.pk, edited_by=second, text="The Fallujah bridge fell"),
    )
    assert all(isinstance(outcome, ClaimEdit) for outcome in outcomes), outcomes
    edits = list(ClaimEdit.objects.filter(claim=claim).order_by("edited_at", "id"))
    # The second applied starts from the first's wording: nothing is lost from the record.
    assert edits[0].changes["text"][0] == "The bridge at Fallujah has collapsed"
    assert edits[1].changes["text"][0] == edits[0].changes["text"][1]
    assert Claim.objects.get(pk=claim.pk).text == edits[1].changes["text"][1]


def test_appearances_recorded_at_once_are_all_counted():
    claim = make_claim()
    sources = [SourceFactory() for _ in range(4)]
    journalist = JournalistFactory()
    run_at_once(
        *[
            lambda s=s: make_appearance(claim=claim, source=s, stance=Stance.DENIES, recorded_by=journalist)
            for s in sources
        ]
    )
    assert Claim.objects.get(pk=claim.pk).denies_count == 4
