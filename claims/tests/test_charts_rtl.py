"""The pictures in a right-to-left interface: time runs from right to left, the scale stands on the
right, labels anchor on the mirrored side; left to right stays as it was."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from claims import charts, report_charts, selectors, services
from claims.models import ClaimStatus, Stance
from tests import factories

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def points(line: str) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in line.split()]


@pytest.fixture
def chart_data(editor, journalist):
    claim = factories.make_claim(first_seen_at=T0, created_by=journalist)
    factories.make_appearance(claim=claim, stance=Stance.ASSERTS, seen_at=T0 + timedelta(hours=1))
    factories.make_appearance(claim=claim, stance=Stance.ASSERTS, seen_at=T0 + timedelta(hours=3))
    factories.make_appearance(claim=claim, stance=Stance.DENIES, seen_at=T0 + timedelta(hours=5))
    services.change_status(
        claim=claim,
        to_status=ClaimStatus.DISPUTED,
        rationale="x",
        changed_by=editor,
        changed_at=T0 + timedelta(hours=6),
    )
    status_changes = [e.item for e in selectors.claim_timeline(claim) if e.kind == "status_change"]
    return claim, selectors.stance_chart_rows(claim), status_changes


def test_in_rtl_the_stance_chart_is_the_mirror_image_of_the_ltr_one(chart_data):
    _claim, rows, status_changes = chart_data
    now = T0 + timedelta(days=30)
    ltr = charts.stance_chart(rows, status_changes, now=now, rtl=False)
    rtl = charts.stance_chart(rows, status_changes, now=now, rtl=True)
    mirror = charts.WIDTH

    assert (ltr.direction, rtl.direction) == ("ltr", "rtl")
    for line in ("asserts_points", "denies_points"):
        assert points(getattr(rtl, line)) == [(round(mirror - x, 1), y) for x, y in points(getattr(ltr, line))]
    asserts = points(rtl.asserts_points)
    assert [x for x, _ in asserts] == sorted((x for x, _ in asserts), reverse=True)  # time runs right to left
    assert asserts[0][0] == rtl.plot_right and asserts[-1][0] == rtl.plot_left
    first, second = rtl.bands
    assert abs(first.x + first.width - rtl.plot_right) < 0.2 and abs(second.x + second.width - first.x) < 0.2
    assert abs(second.x - rtl.plot_left) < 0.2
    for ltr_band, rtl_band in zip(ltr.bands, rtl.bands, strict=True):
        assert abs(rtl_band.x - (mirror - ltr_band.x - ltr_band.width)) < 0.2
        # The label sits just inside where the period begins: its right edge in RTL.
        assert abs(rtl_band.label_x - (mirror - ltr_band.label_x)) < 0.2
    assert (rtl.time_start_x, rtl.time_end_x) == (rtl.plot_right, rtl.plot_left)
    assert rtl.tick_x == mirror - ltr.tick_x  # the scale on the right
    assert rtl.asserts_key == (mirror - ltr.asserts_key[0] - 12, mirror - ltr.asserts_key[1])


def test_the_chart_follows_the_active_language_when_not_told(chart_data):
    _claim, rows, status_changes = chart_data
    with translation.override("ar"):
        assert charts.stance_chart(rows, status_changes, now=T0 + timedelta(days=1)).rtl is True
    with translation.override("en"):
        assert charts.stance_chart(rows, status_changes, now=T0 + timedelta(days=1)).rtl is False


def svg_of(html: str) -> str:
    return re.search(r"<svg.*?</svg>", html, re.S).group(0)


def test_the_rtl_svg_sets_its_direction_and_anchors_the_labels_on_the_mirrored_side(chart_data):
    _claim, rows, status_changes = chart_data
    with translation.override("ar"):
        chart = charts.stance_chart(rows, status_changes, now=T0 + timedelta(days=30))
        svg = svg_of(render_to_string("claims/_stance_chart.html", {"chart": chart}))

    assert 'direction="rtl"' in svg.split(">", 1)[0]
    # The count scale on the right, its labels anchored at their (logical) end: to the right of the plot.
    assert f'<text class="tick" x="{chart.plot_right + 6}"' in svg
    # The timestamps read left to right: the first event's at the right edge, anchored at its right end.
    assert (
        f'class="tick time-start" x="{chart.plot_right}" y="{chart.height - 18}" direction="ltr" '
        f'unicode-bidi="isolate" text-anchor="end">2026-04-01 08:00 +0000</text>'
    ) in svg
    assert f'class="tick time-end" x="{chart.plot_left}"' in svg and 'text-anchor="start">' in svg
    # The legend starts on the right: its first key's swatch ends at the plot's right edge.
    assert f'<rect class="key-asserts" x="{chart.plot_right - 12}"' in svg


def test_the_ltr_svg_is_unchanged(chart_data):
    _claim, rows, status_changes = chart_data
    with translation.override("en"):
        chart = charts.stance_chart(rows, status_changes, now=T0 + timedelta(days=30))
        svg = svg_of(render_to_string("claims/_stance_chart.html", {"chart": chart}))

    assert 'direction="ltr"' in svg.split(">", 1)[0]
    assert f'<text class="tick" x="{charts.LEFT - 6}"' in svg
    assert f'class="tick time-start" x="{charts.LEFT}"' in svg and 'text-anchor="start">2026-04-01 08:00' in svg
    assert f'<rect class="key-asserts" x="{charts.LEFT}"' in svg


def test_the_claim_page_of_an_arabic_user_draws_the_mirrored_chart(client, journalist, chart_data):
    from accounts.services import set_interface_language

    claim, _rows, _changes = chart_data
    set_interface_language(journalist, "ar")
    client.force_login(journalist)
    html = client.get(f"/claims/{claim.pk}/").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert 'direction="rtl"' in svg_of(html).split(">", 1)[0]


def test_the_report_charts_mirror_in_rtl():
    columns = [(f"w{n}", [("status-false", n + 1, "f")]) for n in range(5)]
    ltr = report_charts.column_chart(columns, rtl=False)
    rtl = report_charts.column_chart(columns, rtl=True)
    assert rtl.direction == "rtl" and rtl.tick_x == report_charts.WIDTH - ltr.tick_x
    for a, b in zip(ltr.segments, rtl.segments, strict=True):
        assert abs(b.x - (report_charts.WIDTH - a.x - a.width)) < 0.2
    assert [s.x for s in rtl.segments] == sorted((s.x for s in rtl.segments), reverse=True)  # oldest on the right

    bars_ltr = report_charts.bar_chart([("A", 4, "4"), ("B", 2, "2")], rtl=False)
    bars_rtl = report_charts.bar_chart([("A", 4, "4"), ("B", 2, "2")], rtl=True)
    assert bars_rtl.label_x == report_charts.WIDTH - bars_ltr.label_x
    for a, b in zip(bars_ltr.bars, bars_rtl.bars, strict=True):
        assert b.width == a.width and abs(b.x - (report_charts.WIDTH - a.x - a.width)) < 0.2
        assert abs(b.value_x - (report_charts.WIDTH - a.value_x)) < 0.2
    svg = render_to_string("claims/_report_bars.html", {"chart": bars_rtl, "report": {"name": "r"}})
    assert 'direction="rtl"' in svg and "\u2068A\u2069" in svg  # a source's name isolated in the SVG text
