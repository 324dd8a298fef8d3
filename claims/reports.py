"""The editors' reports (/reports/): four reads over the whole record, each a constant number of
queries whatever the number of claims, grouped and ranked in SQL (never a loop over claims).

- claims_by_status: how many claims had each status at the end of each of the last 26 weeks (from
  the StatusChange rows: one grouped count of the moves between statuses);
- time_to_verdict: per week, the median time from a claim's first appearance to its first verdict,
  over the claims whose first verdict was published that week (the claim's clock columns);
- sources_rated_false: the sources that asserted the most claims rated false (selectors'
  _claims_rated_false, the one rule of the source pages), top 20;
- corrections: outlets that corrected after a denial: accepted story changes (origin "revision")
  superseding an assertion with a denial or a report, with the time from the claim's first denial.

Medians come from one window query (ROW_NUMBER and COUNT over the group, keeping the one or two
middle rows), which PostgreSQL and SQLite both run: Python only averages those two values.
Weeks start on Monday, 00:00 in the newsroom's time zone; the current week ends now.
"""

import zoneinfo
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Case, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber, TruncWeek
from django.utils import timezone

from sources.models import Source

from .models import COUNTED_APPEARANCES, Appearance, Claim, ClaimStatus, Stance, StatusChange, StoredReport
from .selectors import _claims_rated_false, _merged_claim_ids

WEEKS = 26
TOP_SOURCES = 20
TOP_OUTLETS = 50


def newsroom_time_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.NEWSROOM_TIME_ZONE)


def report_weeks(now: datetime | None = None) -> list[tuple[datetime, datetime]]:
    """The last WEEKS weeks, oldest first, as (start, end): Monday 00:00 in the newsroom's time zone
    to the next Monday; the current week ends now."""
    now = now or timezone.now()
    local = now.astimezone(newsroom_time_zone())
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(), tzinfo=local.tzinfo)
    starts = [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    return list(zip(starts, [*starts[1:], now], strict=True))


def _middle_rows(queryset: QuerySet, group: str, value: str) -> dict:
    """{group value: (median of `value`, rows in the group)} in one query: each group's one or two
    middle rows by `value` (ROW_NUMBER and COUNT over the group), averaged here."""
    ranked = (
        queryset.annotate(
            rank=Window(RowNumber(), partition_by=[F(group)], order_by=[F(value).asc(), F("pk").asc()]),
            rows=Window(Count("pk"), partition_by=[F(group)]),
        )
        .filter(Q(rank=(F("rows") + 1) / 2) | Q(rank=(F("rows") + 2) / 2))
        .values_list(group, value, "rows")
    )
    middles: dict = defaultdict(list)
    counts: dict = {}
    for key, amount, rows in ranked:
        middles[key].append(amount)
        counts[key] = rows
    return {key: (sum(values, timedelta()) / len(values), counts[key]) for key, values in middles.items()}


# a. Claims by status at the end of each week -----------------------------------------------------

# A status change moves one claim from its from_status to its to_status (change_status writes the
# status it replaced; the claim's first row has none), so the claims with a status at a moment are
# the changes into it before then minus the changes out of it. One grouped count: the changes before
# the first week together, then per week, per (from, to); summed up here (at most 27 x 8 x 8 rows).
# Merged claims (their duplicates live on the survivor) are left out.


def claims_by_status(weeks: list[tuple[datetime, datetime]]) -> list[tuple[datetime, dict[str, int]]]:
    """[(week start, {status: claims with that status at the week's end})], oldest first. One query."""
    tz = newsroom_time_zone()
    first_start = weeks[0][0]
    moves = (
        StatusChange.objects.filter(changed_at__lt=weeks[-1][1])
        .exclude(claim_id__in=_merged_claim_ids())
        .annotate(
            week=Case(
                When(changed_at__lt=first_start, then=Value(None)),
                default=TruncWeek("changed_at", tzinfo=tz),
            )
        )
        .values_list("week", "from_status", "to_status")
        .annotate(changes=Count("pk"))
        .order_by()
    )
    index = {start.date(): n for n, (start, _end) in enumerate(weeks)}
    deltas = [dict.fromkeys(ClaimStatus.values, 0) for _n in range(len(weeks) + 1)]  # [0]: before
    for week, from_status, to_status, changes in moves:
        delta = deltas[0 if week is None else 1 + index[week.astimezone(tz).date()]]
        delta[to_status] += changes
        if from_status:
            delta[from_status] -= changes
    counts, running = [], deltas[0]
    for (start, _end), delta in zip(weeks, deltas[1:], strict=True):
        running = {status: running[status] + delta[status] for status in ClaimStatus.values}
        counts.append((start, running))
    return counts


# b. Median time to verdict per week ---------------------------------------------------------------


def time_to_verdict(weeks: list[tuple[datetime, datetime]]) -> list[tuple[datetime, timedelta | None, int]]:
    """[(week start, median first_verdict_at - first_appearance_at, claims)] over the claims whose
    first verdict was published that week (None and 0 for a week without one). One query, through
    the index on first_verdict_at."""
    tz = newsroom_time_zone()
    claims = (
        Claim.objects.filter(
            merged_into__isnull=True,
            first_verdict_at__gte=weeks[0][0],
            first_verdict_at__lt=weeks[-1][1],
            first_appearance_at__isnull=False,
        )
        .annotate(
            week=TruncWeek("first_verdict_at", tzinfo=tz),
            took=ExpressionWrapper(F("first_verdict_at") - F("first_appearance_at"), output_field=DurationField()),
        )
        .order_by()
    )
    medians = {week.astimezone(tz).date(): found for week, found in _middle_rows(claims, "week", "took").items()}
    return [(start, *medians.get(start.date(), (None, 0))) for start, _end in weeks]


# c. Sources that most often asserted claims rated false -------------------------------------------


def sources_rated_false(limit: int = TOP_SOURCES) -> list[dict]:
    """[{source_id, name, kind, claims}]: the sources with the most claims they asserted (counted
    appearances, COUNTED_APPEARANCES, as the source pages count them: not a retracted or superseded
    one, nor the duplicates left on a merged claim, nor a merged source's) that
    were rated false, the rule of the source pages (selectors._claims_rated_false). Two queries: the
    count grouped by source id alone (in the order of the index appearance_counted_by_source, no
    join), then the names of the top ones."""
    top = list(
        Appearance.objects.filter(COUNTED_APPEARANCES, stance=Stance.ASSERTS)
        .exclude(claim_id__in=_merged_claim_ids())
        .exclude(source_id__in=Source.objects.filter(merged_into__isnull=False).values("pk"))
        .filter(_claims_rated_false())
        .values("source_id")
        .annotate(claims=Count("claim_id", distinct=True))
        .order_by("-claims", "source_id")[:limit]
    )
    sources = Source.objects.in_bulk([row["source_id"] for row in top])
    return [
        {
            "source_id": row["source_id"],
            "name": sources[row["source_id"]].name,
            "kind": sources[row["source_id"]].kind,
            "claims": row["claims"],
        }
        for row in top
    ]


# Reports kept as computed (StoredReport), by name: what claims.services.refresh_stored_report runs.
STORED_REPORTS = {"sources-rated-false": sources_rated_false}


def stored_report(name: str) -> tuple[list, datetime]:
    """A stored report's rows and when they were computed; computed now (not stored: the beat does
    that) when it has never been stored yet. One query."""
    stored = StoredReport.objects.filter(name=name).first()
    if stored is None:
        return STORED_REPORTS[name](), timezone.now()
    return stored.rows, stored.computed_at


# d. Outlets that corrected after a denial ---------------------------------------------------------


def corrections_after_denial(limit: int = TOP_OUTLETS) -> list[dict]:
    """[{source_id, name, corrections, median}]: per outlet, its accepted, unretracted story changes
    (origin "revision") that superseded one of its assertions with a denial or a report, made after
    the claim's first denial (a correction that was itself the first denial is not one made after a
    denial), and the median time from that first denial to the correction (its seen_at). Most
    corrections first. Two queries (the medians, the outlets' names)."""
    corrections = (
        Appearance.objects.filter(
            origin=Appearance.Origin.REVISION,
            review_state=Appearance.ReviewState.ACCEPTED,
            retracted_at__isnull=True,
            supersedes__stance=Stance.ASSERTS,
            stance__in=[Stance.DENIES, Stance.REPORTS],
            claim__merged_into__isnull=True,
            claim__first_denial_at__isnull=False,
            seen_at__gt=F("claim__first_denial_at"),
        )
        .annotate(took=ExpressionWrapper(F("seen_at") - F("claim__first_denial_at"), output_field=DurationField()))
        .order_by()
    )
    medians = _middle_rows(corrections, "source_id", "took")
    names = dict(Source.objects.filter(pk__in=list(medians)).values_list("pk", "name"))
    rows = [
        {"source_id": source_id, "name": names.get(source_id, ""), "corrections": count, "median": median}
        for source_id, (median, count) in medians.items()
    ]
    rows.sort(key=lambda row: (-row["corrections"], row["median"], row["name"]))
    return rows[:limit]
