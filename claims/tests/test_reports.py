"""The editors' reports (/reports/): each report's numbers on a small fixed record, their CSV
downloads, who may see them, and a constant number of queries whatever the number of claims."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import report_charts, report_views, reports, services
from claims.models import Appearance, ClaimStatus, Stance
from tests.factories import EditorFactory, SourceFactory, make_appearance, make_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def weeks():
    return reports.report_weeks()


def week_start(weeks, back: int):
    """The start of the week `back` weeks before the current one (0: the current week)."""
    return weeks[-1 - back][0]


def test_report_weeks_are_26_weeks_from_monday_in_the_newsroom_time_zone(weeks):
    assert len(weeks) == 26
    assert all(start.weekday() == 0 and (start.hour, start.minute) == (0, 0) for start, _end in weeks)
    assert weeks[-1][1] <= timezone.now()
    assert all(weeks[n][1] == weeks[n + 1][0] for n in range(25))


# a. Claims by status ------------------------------------------------------------------------------


def test_claims_by_status_counts_each_claims_status_at_the_end_of_each_week(weeks, editor):
    ruled = make_claim(text="Ruled false later", first_seen_at=week_start(weeks, 3) + timedelta(days=1))
    services.change_status(
        claim=ruled,
        to_status=ClaimStatus.FALSE,
        rationale="Denied by the ministry",
        changed_by=editor,
        changed_at=week_start(weeks, 1) + timedelta(days=1),
    )
    survivor = make_claim(text="Logged last week", first_seen_at=week_start(weeks, 1) + timedelta(hours=2))
    duplicate = make_claim(text="A duplicate", first_seen_at=week_start(weeks, 2) + timedelta(hours=1))
    services.merge_claims(absorbed=duplicate, into=survivor, merged_by=editor, reason="Same claim")

    by_week = dict(reports.claims_by_status(weeks))

    def week(back):
        counts = by_week[week_start(weeks, back)]
        return {status: n for status, n in counts.items() if n}

    assert week(4) == {}
    assert week(3) == {ClaimStatus.UNVERIFIED: 1}
    assert week(2) == {ClaimStatus.UNVERIFIED: 1}  # the duplicate, merged since, is not counted
    assert week(1) == {ClaimStatus.FALSE: 1, ClaimStatus.UNVERIFIED: 1}
    assert week(0) == {ClaimStatus.FALSE: 1, ClaimStatus.UNVERIFIED: 1}


# b. Median time to verdict ------------------------------------------------------------------------


def _claim_with_verdict(editor, *, appeared_at, took: timedelta, text: str):
    claim = make_claim(text=text, first_seen_at=appeared_at - timedelta(hours=1))
    make_appearance(claim=claim, seen_at=appeared_at)
    services.publish_verdict(claim=claim, rating_name="False", author=editor, published_at=appeared_at + took)
    return claim


def test_median_time_to_verdict_per_week_over_first_verdicts(weeks, editor):
    two_weeks_ago, three_weeks_ago = week_start(weeks, 2), week_start(weeks, 3)
    for n, hours in enumerate((2, 4, 10)):  # odd: the middle one
        _claim_with_verdict(
            editor, appeared_at=two_weeks_ago + timedelta(days=1), took=timedelta(hours=hours), text=f"a{n}"
        )
    for n, hours in enumerate((1, 3)):  # even: the mean of the two middle ones
        claim = _claim_with_verdict(
            editor, appeared_at=three_weeks_ago + timedelta(days=1), took=timedelta(hours=hours), text=f"b{n}"
        )
    # A later verdict does not move the claim's first one.
    services.publish_verdict(claim=claim, rating_name="True", author=editor, published_at=two_weeks_ago + timedelta(2))
    unseen = make_claim(text="A verdict without any appearance", first_seen_at=two_weeks_ago)
    services.publish_verdict(
        claim=unseen, rating_name="False", author=editor, published_at=two_weeks_ago + timedelta(1)
    )

    found = {start: (median, n) for start, median, n in reports.time_to_verdict(weeks)}
    assert found[two_weeks_ago] == (timedelta(hours=4), 3)
    assert found[three_weeks_ago] == (timedelta(hours=2), 2)
    assert found[week_start(weeks, 4)] == (None, 0)


# c. Sources asserting claims rated false ----------------------------------------------------------


def test_sources_rated_false_counts_claims_asserted_and_rated_false(editor, journalist):
    often, once, denier = SourceFactory(name="Often wrong"), SourceFactory(name="Once wrong"), SourceFactory()
    by_verdict, by_status, true_one, retracted_one = (make_claim(text=t) for t in ("x", "y", "z", "w"))
    services.publish_verdict(claim=by_verdict, rating_name="False", author=editor)
    services.change_status(claim=by_status, to_status=ClaimStatus.FALSE, rationale="Fabricated", changed_by=editor)
    services.publish_verdict(claim=true_one, rating_name="True", author=editor)
    services.publish_verdict(claim=retracted_one, rating_name="Mostly false", author=editor)
    for claim in (by_verdict, by_status, true_one):
        make_appearance(claim=claim, source=often, stance=Stance.ASSERTS)
    make_appearance(claim=by_verdict, source=often, stance=Stance.ASSERTS)  # the same claim twice: once
    make_appearance(claim=by_verdict, source=once, stance=Stance.ASSERTS)
    make_appearance(claim=by_verdict, source=denier, stance=Stance.DENIES)
    mistaken = make_appearance(claim=retracted_one, source=once, stance=Stance.ASSERTS)
    services.retract_appearance(appearance=mistaken, retracted_by=journalist, reason="Wrong claim")
    corrected = make_appearance(claim=by_status, source=once, stance=Stance.ASSERTS)
    _correction(corrected, stance=Stance.REPORTS, at=timezone.now())  # superseded: not counted, as on its page

    rows = reports.sources_rated_false()
    assert [(row["name"], row["claims"]) for row in rows] == [("Often wrong", 2), ("Once wrong", 1)]


# d. Outlets that corrected after a denial ---------------------------------------------------------


def _correction(old: Appearance, *, stance: str, at, review_state="accepted") -> Appearance:
    """A story change as the story-changes work records it: a new appearance superseding `old`."""
    correction = Appearance.objects.create(
        claim=old.claim,
        source=old.source,
        document=old.document,
        stance=stance,
        seen_at=at,
        origin=Appearance.Origin.REVISION,
        review_state=review_state,
        supersedes=old,
        passage_sha256=f"{old.pk}-{stance}-{at.timestamp()}",
    )
    if review_state == "accepted":
        Appearance.objects.filter(pk=old.pk).update(superseded_at=at)
    services.recompute_stance_counts(claim_id=old.claim_id)
    return correction


def test_corrections_after_a_denial_count_per_outlet_with_the_median_time():
    t0 = timezone.now().replace(microsecond=0) - timedelta(days=5)
    outlet, late, ministry = SourceFactory(name="Corrects"), SourceFactory(name="Too early"), SourceFactory()
    first, second, third = (make_claim(text=t, first_seen_at=t0 - timedelta(hours=1)) for t in ("k1", "k2", "k3"))

    old = make_appearance(claim=first, source=outlet, stance=Stance.ASSERTS, seen_at=t0)
    make_appearance(claim=first, source=ministry, stance=Stance.DENIES, seen_at=t0 + timedelta(hours=1))
    _correction(old, stance=Stance.REPORTS, at=t0 + timedelta(hours=4))  # 3 h after the denial

    old = make_appearance(claim=second, source=outlet, stance=Stance.ASSERTS, seen_at=t0)
    make_appearance(claim=second, source=ministry, stance=Stance.DENIES, seen_at=t0 + timedelta(hours=2))
    _correction(old, stance=Stance.DENIES, at=t0 + timedelta(hours=4))  # 2 h after

    # Not corrections after a denial: before it, still asserting, waiting for review, or of a
    # report rather than an assertion.
    make_appearance(claim=third, source=ministry, stance=Stance.DENIES, seen_at=t0 + timedelta(hours=5))
    early = make_appearance(claim=third, source=late, stance=Stance.ASSERTS, seen_at=t0)
    _correction(early, stance=Stance.DENIES, at=t0 + timedelta(hours=3))
    still = make_appearance(claim=third, source=outlet, stance=Stance.ASSERTS, seen_at=t0)
    _correction(still, stance=Stance.ASSERTS, at=t0 + timedelta(hours=6))
    pending = make_appearance(claim=third, source=SourceFactory(), stance=Stance.ASSERTS, seen_at=t0)
    _correction(pending, stance=Stance.DENIES, at=t0 + timedelta(hours=6), review_state="pending")
    reported = make_appearance(claim=third, source=SourceFactory(), stance=Stance.REPORTS, seen_at=t0)
    _correction(reported, stance=Stance.DENIES, at=t0 + timedelta(hours=6))

    rows = reports.corrections_after_denial()
    assert [(row["name"], row["corrections"], row["median"]) for row in rows] == [
        ("Corrects", 2, timedelta(hours=2, minutes=30))
    ]


# The page and its downloads ---------------------------------------------------------------------


def test_a_journalist_cannot_see_the_reports(as_journalist):
    assert as_journalist.get(reverse("claims:reports")).status_code == 403
    assert as_journalist.get(reverse("claims:report-corrections")).status_code == 403


def test_an_editor_sees_the_four_reports_with_their_charts(as_editor, editor):
    source = SourceFactory(name="Wire service")
    claim = make_claim(text="A claim rated false")
    make_appearance(claim=claim, source=source, stance=Stance.ASSERTS)
    services.publish_verdict(claim=claim, rating_name="False", author=editor)

    response = as_editor.get(reverse("claims:reports"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in report_views.REPORT_NAMES:
        assert f'id="report-{name}"' in page
        assert reverse(f"claims:report-{name}") in page
    assert page.count('role="img"') >= 3  # status, time to verdict, sources (no corrections yet)
    assert "Wire service" in page


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_report_csv_is_an_attachment_with_formula_cells_defused(as_editor, editor):
    source = SourceFactory(name='=HYPERLINK("http://evil.example","click")')
    claim = make_claim(text="Rated false")
    make_appearance(claim=claim, source=source, stance=Stance.ASSERTS)
    services.publish_verdict(claim=claim, rating_name="False", author=editor)

    response = as_editor.get(reverse("claims:report-sources-rated-false"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="claimtrack-sources-rated-false-')
    rows = _csv(response)
    assert rows[0] == ["source", "kind", "claims rated false"]
    assert rows[1] == ['\'=HYPERLINK("http://evil.example","click")', "news_outlet", "1"]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(value):
    assert report_views.safe_cell(value) == "'" + value


def test_plain_cells_are_written_as_they_are():
    assert [report_views.safe_cell(v) for v in ("Reuters", 3, None, "a-b")] == ["Reuters", 3, "", "a-b"]


def test_each_csv_has_its_header_and_a_row_per_week(as_editor):
    rows = _csv(as_editor.get(reverse("claims:report-claims-by-status")))
    assert rows[0][0] == "week" and len(rows) == 1 + reports.WEEKS
    rows = _csv(as_editor.get(reverse("claims:report-time-to-verdict")))
    assert rows[0] == ["week", "claims", "median seconds", "median"] and len(rows) == 1 + reports.WEEKS
    assert _csv(as_editor.get(reverse("claims:report-corrections")))[0] == [
        "outlet",
        "corrections",
        "median seconds",
        "median",
    ]


def _record(n: int, editor, base) -> None:
    """n claims, each asserted by two sources of their own, denied, corrected by one and rated false."""
    ministry = SourceFactory(name=f"Ministry {base.timestamp()}")
    for i in range(n):
        claim = make_claim(text=f"Claim {base.timestamp()} {i}", first_seen_at=base)
        old = make_appearance(claim=claim, stance=Stance.ASSERTS, seen_at=base + timedelta(hours=1))
        make_appearance(claim=claim, stance=Stance.ASSERTS, seen_at=base + timedelta(hours=1))  # stands
        make_appearance(claim=claim, source=ministry, stance=Stance.DENIES, seen_at=base + timedelta(hours=2))
        _correction(old, stance=Stance.REPORTS, at=base + timedelta(hours=3 + i))
        services.change_status(claim=claim, to_status=ClaimStatus.FALSE, rationale="No", changed_by=editor)
        services.publish_verdict(claim=claim, rating_name="False", author=editor)


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def test_each_report_runs_a_constant_number_of_queries(editor, django_assert_max_num_queries):
    weeks = reports.report_weeks()
    base = timezone.now().replace(microsecond=0) - timedelta(days=20)
    _record(1, editor, base)
    few = {
        name: _queries(lambda name=name: report_views.build_report(name, weeks)) for name in report_views.REPORT_NAMES
    }
    _record(6, editor, base + timedelta(days=1))
    many = {
        name: _queries(lambda name=name: report_views.build_report(name, weeks)) for name in report_views.REPORT_NAMES
    }
    assert few == many
    # The sources report: its stored copy looked up, then (never stored yet) computed in two.
    assert many == {"claims-by-status": 1, "time-to-verdict": 1, "sources-rated-false": 3, "corrections": 2}
    services.refresh_stored_report(name="sources-rated-false")
    assert _queries(lambda: report_views.build_report("sources-rated-false", weeks)) == 1


def test_the_reports_page_runs_as_many_queries_for_many_claims_as_for_one(client, django_assert_max_num_queries):
    editor = EditorFactory()
    client.force_login(editor)
    base = timezone.now().replace(microsecond=0) - timedelta(days=20)
    _record(1, editor, base)
    few = _queries(lambda: client.get(reverse("claims:reports")))
    _record(5, editor, base + timedelta(days=1))
    with django_assert_max_num_queries(few):
        assert client.get(reverse("claims:reports")).status_code == 200


def test_a_column_chart_stacks_its_parts_and_labels_every_fourth_week():
    chart = report_charts.column_chart(
        [(f"w{n}", [("status-false", n % 3, "f"), ("status-confirmed", 1, "c")]) for n in range(9)]
    )
    assert [label.text for label in chart.x_labels] == ["w0", "w4", "w8"]
    assert len({text for _y, text in chart.y_ticks}) == len(chart.y_ticks)  # no tick label twice
    false, confirmed = [s for s in chart.segments if s.x == chart.segments[-1].x]  # w8: 2 false, 1 confirmed
    assert false.height == 2 * confirmed.height and confirmed.y + confirmed.height == false.y  # stacked
    assert report_charts.column_chart([("w", [("x", 0, "")])]) is None


def test_a_bar_chart_is_as_long_as_its_values():
    chart = report_charts.bar_chart([("A", 4, "4"), ("B", 2, "2")])
    assert chart.bars[0].width == 2 * chart.bars[1].width
    assert report_charts.bar_chart([]) is None


def test_the_sources_report_is_read_as_the_beat_stored_it_and_says_when(client, editor):
    from claims import tasks
    from claims.models import StoredReport

    client.force_login(editor)
    base = timezone.now().replace(microsecond=0) - timedelta(days=20)
    _record(1, editor, base)
    tasks.refresh_stored_reports()
    stored = StoredReport.objects.get(name="sources-rated-false")
    assert stored.rows == reports.sources_rated_false()
    _record(2, editor, base + timedelta(days=1))  # after the refresh: not in the stored copy yet

    rows, computed_at = reports.stored_report("sources-rated-false")
    page = client.get(reverse("claims:reports")).content.decode()

    assert rows == stored.rows and computed_at == stored.computed_at
    assert "refreshed every 10 minutes" in page
    assert stored.computed_at.astimezone(reports.newsroom_time_zone()).strftime("%Y-%m-%d %H:%M") in page
    tasks.refresh_stored_reports()  # the next beat: the new claims are in, still one row
    assert StoredReport.objects.count() == 1
    assert reports.stored_report("sources-rated-false")[0] == reports.sources_rated_false() != stored.rows
