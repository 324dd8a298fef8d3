"""The stance-over-time picture: distinct sources per stance, status periods as bands."""

from datetime import UTC, datetime, timedelta

import pytest

from claims import charts, selectors, services
from claims.models import ClaimStatus, Stance
from tests import factories

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def points(line: str) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in line.split()]


def test_chart_counts_distinct_accepted_sources_and_draws_status_bands(editor, journalist):
    claim = factories.make_claim(first_seen_at=T0, created_by=journalist)
    outlet = factories.SourceFactory()
    factories.make_appearance(claim=claim, source=outlet, stance=Stance.ASSERTS, seen_at=T0 + timedelta(hours=1))
    factories.make_appearance(claim=claim, source=outlet, stance=Stance.ASSERTS, seen_at=T0 + timedelta(hours=2))
    factories.make_appearance(claim=claim, stance=Stance.ASSERTS, seen_at=T0 + timedelta(hours=3))
    retracted = factories.make_appearance(claim=claim, stance=Stance.DENIES, seen_at=T0 + timedelta(hours=4))
    services.retract_appearance(appearance=retracted, retracted_by=editor, reason="Wrong claim")
    factories.make_suggestion(claim=claim, stance=Stance.DENIES, seen_at=T0 + timedelta(hours=4))
    factories.make_appearance(claim=claim, stance=Stance.DENIES, seen_at=T0 + timedelta(hours=5))
    services.change_status(
        claim=claim,
        to_status=ClaimStatus.DISPUTED,
        rationale="x",
        changed_by=editor,
        changed_at=T0 + timedelta(hours=6),
    )
    status_changes = [e.item for e in selectors.claim_timeline(claim) if e.kind == "status_change"]
    chart = charts.stance_chart(selectors.stance_chart_rows(claim), status_changes, now=T0 + timedelta(days=30))

    assert (chart.asserts_total, chart.denies_total) == (2, 1)  # same outlet twice counts once
    assert [b.status for b in chart.bands] == ["unverified", "disputed"]
    first, second = chart.bands
    assert first.x == chart.plot_left and abs(first.x + first.width - second.x) < 0.2
    assert abs(second.x + second.width - chart.plot_right) < 0.2
    asserts = points(chart.asserts_points)
    assert [x for x, _ in asserts] == sorted(x for x, _ in asserts)  # time runs left to right
    assert min(y for _, y in asserts) == chart.plot_top  # the top of the scale is 2 sources
    # Quiet time after the last event is shown, but bounded by half the claim's span.
    assert chart.ends_at == T0 + timedelta(hours=9)


def test_no_chart_without_events():
    assert charts.stance_chart([], [], now=T0) is None
