"""The editors' reports page (/reports/) and its CSV downloads (/reports/<name>.csv): thin views over
claims.reports (the numbers) and claims.report_charts (the pictures). Editors only: the permission
of ruling on claims (claims.permissions.can_rule)."""

import csv
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import report_charts, reports
from .clock import human_duration, seconds
from .models import ClaimStatus

REPORT_NAMES = ("claims-by-status", "time-to-verdict", "sources-rated-false", "corrections")
RULING_PERMISSION = "claims.change_claim_status"  # as claims.permissions.can_rule

# A cell a spreadsheet would read as a formula (=, +, -, @; tab and carriage return too, as OWASP
# lists them) is written with a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class Report:
    name: str
    title: str
    description: str
    header: list[str]
    rows: list[list]
    chart: object = None
    chart_template: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def csv_url(self) -> str:
        return reverse(f"claims:report-{self.name}")


def _week_label(start) -> str:
    return start.date().isoformat()


def _week_axis_label(start) -> str:
    """The chart's label of a week: its first day in the active language ("3 December", "3 ديسمبر")."""
    return formats.date_format(start, "MONTH_DAY_FORMAT")


def _claims_by_status(weeks) -> Report:
    statuses = ClaimStatus.choices
    counts = reports.claims_by_status(weeks)
    columns = [
        (
            _week_axis_label(start),
            [
                (f"status-{value}", by_status[value], f"{_week_label(start)}: {label} {by_status[value]}")
                for value, label in statuses
            ],
        )
        for start, by_status in counts
    ]
    return Report(
        name="claims-by-status",
        title=_("Claims by status"),
        description=_("How many claims had each status at the end of each of the last %(weeks)d weeks.")
        % {"weeks": reports.WEEKS},
        header=[_("week"), *(str(label) for _value, label in statuses)],
        rows=[[_week_label(start), *(by_status[value] for value, _label in statuses)] for start, by_status in counts],
        chart=report_charts.column_chart(columns, tick_text=lambda n: f"{n:.0f}"),
        chart_template="claims/_report_columns.html",
        legend=[(f"status-{value}", str(label)) for value, label in statuses],
    )


def _time_to_verdict(weeks) -> Report:
    medians = reports.time_to_verdict(weeks)
    hours = [(start, median.total_seconds() / 3600 if median else 0, median, n) for start, median, n in medians]
    columns = [
        (
            _week_axis_label(start),
            [("median", value, f"{_week_label(start)}: {human_duration(median) or '—'} ({n})")],
        )
        for start, value, median, n in hours
    ]
    return Report(
        name="time-to-verdict",
        title=_("Median time to verdict"),
        description=_(
            "Per week, the median time from a claim's first appearance to its first verdict, over the claims "
            "whose first verdict was published that week (hours)."
        ),
        header=[_("week"), _("claims"), _("median seconds"), _("median")],
        rows=[[_week_label(start), n, seconds(median), human_duration(median)] for start, median, n in medians],
        chart=report_charts.column_chart(columns, tick_text=lambda h: f"{h:.0f} h"),
        chart_template="claims/_report_columns.html",
    )


def _sources_rated_false() -> Report:
    rows, computed_at = reports.stored_report("sources-rated-false")
    return Report(
        name="sources-rated-false",
        title=_("Sources asserting claims rated false"),
        description=_(
            "The %(n)d sources that asserted the most claims later rated false (ruled false or misleading, or a "
            "current verdict on the false side of the scale). Computed at %(at)s; refreshed every 10 minutes."
        )
        % {"n": reports.TOP_SOURCES, "at": formats.date_format(timezone.localtime(computed_at), "Y-m-d H:i")},
        header=[_("source"), _("kind"), _("claims rated false")],
        rows=[[row["name"], row["kind"], row["claims"]] for row in rows],
        chart=report_charts.bar_chart([(row["name"], row["claims"], str(row["claims"])) for row in rows]),
        chart_template="claims/_report_bars.html",
    )


def _corrections() -> Report:
    rows = reports.corrections_after_denial()
    return Report(
        name="corrections",
        title=_("Outlets that corrected after a denial"),
        description=_(
            "Outlets whose story changed from asserting a claim to denying or reporting it after the claim's "
            "first denial: how many times, and the median time from that first denial to the correction."
        ),
        header=[_("outlet"), _("corrections"), _("median seconds"), _("median")],
        rows=[[row["name"], row["corrections"], seconds(row["median"]), human_duration(row["median"])] for row in rows],
        chart=report_charts.bar_chart(
            [
                (row["name"], row["corrections"], f"{row['corrections']} · {human_duration(row['median'])}")
                for row in rows
            ]
        ),
        chart_template="claims/_report_bars.html",
    )


def build_report(name: str, weeks=None) -> Report:
    if name not in REPORT_NAMES:
        raise Http404("No such report.")
    weeks = weeks or reports.report_weeks()
    if name == "claims-by-status":
        return _claims_by_status(weeks)
    if name == "time-to-verdict":
        return _time_to_verdict(weeks)
    if name == "sources-rated-false":
        return _sources_rated_false()
    return _corrections()


@login_required
@permission_required(RULING_PERMISSION, raise_exception=True)
@require_GET
def report_list(request):
    weeks = reports.report_weeks()
    return render(
        request,
        "claims/reports.html",
        {"reports": [build_report(name, weeks) for name in REPORT_NAMES], "weeks": reports.WEEKS},
    )


@login_required
@permission_required(RULING_PERMISSION, raise_exception=True)
@require_GET
def report_csv(request, name):
    report = build_report(name)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="claimtrack-{report.name}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(cell) for cell in report.header])
    for row in report.rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response
