import pytest

from claims import services
from claims.models import Stance
from tests.factories import SourceFactory, make_appearance

pytestmark = pytest.mark.django_db


def test_stance_counts_count_distinct_sources_and_skip_retracted(claim, journalist):
    outlet, ministry = SourceFactory(), SourceFactory(kind="official_body")
    make_appearance(claim=claim, source=outlet, stance=Stance.ASSERTS)
    make_appearance(claim=claim, source=outlet, stance=Stance.ASSERTS)
    denial = make_appearance(claim=claim, source=ministry, stance=Stance.DENIES)
    claim.refresh_from_db()
    assert (claim.asserts_count, claim.denies_count, claim.reports_count) == (1, 1, 0)

    services.retract_appearance(appearance=denial, retracted_by=journalist, reason="Wrong ministry")
    claim.refresh_from_db()
    assert claim.denies_count == 0


def test_suggested_appearances_are_not_counted_until_accepted(claim):
    make_appearance(claim=claim, origin="suggested")
    claim = services.recompute_stance_counts(claim_id=claim.pk)
    assert claim.asserts_count == 0
