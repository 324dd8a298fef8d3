"""Read queries of the claims domain, shared by pages and the API.

Every selector runs a fixed number of queries, whatever the number of rows it returns.
"""

import contextlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from audit.selectors import AuditEntry, history_entries
from claimtrack.lib import arabic
from claimtrack.lib.languages import primary_language
from sources.models import Document, DocumentAvailabilityChange, DocumentRevision, Source

from . import roles
from .models import (
    BY_OFFICIAL_BODY,
    CLOCK_FIELDS,
    COUNTED_APPEARANCES,
    IN_OFFICIAL_STATEMENT,
    OFFICIAL_APPEARANCES,
    Appearance,
    Assignment,
    Claim,
    ClaimEdit,
    ClaimMerge,
    ClaimStatus,
    ClaimWording,
    Evidence,
    Follow,
    MergeProposal,
    Note,
    Notification,
    NotificationSettings,
    Stance,
    StatusChange,
    StatusProposal,
    Verdict,
)
from .permalinks import anchor, permalink_suffix
from .ratings import false_rating_names


def claim_list(*, include_archived: bool = True) -> QuerySet[Claim]:
    """The claims the newsroom works on: never one merged into another (its page redirects)."""
    claims = Claim.objects.filter(merged_into__isnull=True).select_related("created_by").prefetch_related("tags")
    if not include_archived:
        claims = claims.filter(is_archived=False)
    return claims.order_by("-last_activity_at", "-id")


# The kinds of event on a claim's timeline, in the order events of the same instant are listed.
# "merged_from": a duplicate claim merged into this one (its ClaimMerge); "merged_status_change": a
# status change of that duplicate, shown as its history; "edit": an edit of the claim itself;
# "availability": a cited document's page removed, moved or back (sources' DocumentAvailabilityChange).
TIMELINE_EVENT_KINDS = (
    "status_change", "appearance", "revision", "availability", "verdict", "edit", "merged_from",
    "merged_status_change", "assignment", "unassignment", "note",
)  # fmt: skip
# The newsroom's own work on a claim (its discussion, who is on it): on the claim page, never on
# what partners see (the API's timeline).
NEWSROOM_ONLY_EVENT_KINDS = ("assignment", "unassignment", "note")
PARTNER_TIMELINE_EVENT_KINDS = tuple(kind for kind in TIMELINE_EVENT_KINDS if kind not in NEWSROOM_ONLY_EVENT_KINDS)

# What the timeline calls the fields of a claim edit (ClaimEdit.changes), in this order.
EDITED_FIELD_LABELS = {
    "text": _("wording"),
    "summary": _("summary"),
    "tags": _("tags"),
    "places": _("places"),
    "language": _("language"),
    "first_seen_at": _("first seen"),
}


@dataclass(frozen=True)
class TimelineEvent:
    kind: str  # one of TIMELINE_EVENT_KINDS
    at: datetime
    item: object

    @property
    def anchor(self) -> str:
        return anchor(self.kind, self.item.pk)

    @property
    def permalink_suffix(self) -> str:
        return permalink_suffix(self.kind, self.item.pk)


def claim_timeline(
    claim: Claim,
    *,
    include_pending: bool = True,
    include_retracted: bool = True,
    include_newsroom: bool = False,
    appearance_ids: set[int] | None = None,
) -> list[TimelineEvent]:
    """Every event of the claim in time order: appearances, status changes, verdicts, edits of the
    claim itself, the revisions of documents the claim appears in, and for each duplicate merged
    into it a "merged from" event and the duplicate's status changes; with `include_newsroom` (the
    claim page, never partners) also its notes and assignments. With `appearance_ids`, only those
    appearances (and the revisions and availability changes of their documents): see
    claim_page_timeline. Eight queries, one more for a claim others were merged into, three more
    with the newsroom's."""
    appearances = Appearance.objects.filter(claim=claim)
    if appearance_ids is not None:
        appearances = appearances.filter(pk__in=appearance_ids)
    appearances = appearances.select_related(
        "source", "document", "recorded_by", "reviewed_by", "retracted_by", "supersedes"
    ).prefetch_related(
        # Into a list (to_attr): prefetching into the related manager clones the queryset once per
        # appearance (0.4 s for a claim with 1,000 appearances).
        Prefetch("evidence", queryset=Evidence.objects.select_related("retracted_by"), to_attr="evidence_files")
    )
    if not include_pending:
        appearances = appearances.exclude(review_state=Appearance.ReviewState.PENDING)
        appearances = appearances.exclude(review_state=Appearance.ReviewState.REJECTED)
    if not include_retracted:
        appearances = appearances.filter(retracted_at__isnull=True)
    appearances = list(appearances)
    document_ids = {a.document_id for a in appearances if a.document_id}
    if appearance_ids is not None:
        # A rewrite of an article is news even when its appearance is older than those shown: the
        # documents of every appearance of the claim (a subquery; always one query).
        document_ids = Appearance.objects.filter(claim=claim, document__isnull=False).values("document_id")
    events = [TimelineEvent("appearance", a.seen_at, a) for a in appearances]
    # The claim's own status changes and those of the duplicates merged into it, in one query; the
    # merges themselves are read only when there are such duplicates.
    # The duplicates' ids first: "this claim or one merged into it" as one condition can use no
    # index, and the planner reads every status change of the archive (50 ms at 100,000 claims).
    merged_claim_ids = list(Claim.objects.filter(merged_into=claim).values_list("pk", flat=True))
    status_changes = StatusChange.objects.filter(claim_id__in=[claim.pk, *merged_claim_ids])
    merged_ids = set()
    for change in status_changes.select_related("changed_by"):
        if change.claim_id == claim.pk:
            events.append(TimelineEvent("status_change", change.changed_at, change))
        else:
            events.append(TimelineEvent("merged_status_change", change.changed_at, change))
            merged_ids.add(change.claim_id)
    if merged_ids:
        merges = ClaimMerge.objects.filter(absorbed_id__in=merged_ids).select_related("absorbed", "merged_by")
        events += [TimelineEvent("merged_from", merge.merged_at, merge) for merge in merges]
    events += [
        TimelineEvent("verdict", v.published_at, v)
        for v in Verdict.objects.filter(claim=claim).select_related("author")
    ]
    events += [TimelineEvent("edit", e.edited_at, _described_edit(e)) for e in claim_edits(claim)]
    if appearance_ids is not None or document_ids:
        # The first revision is the document as first seen; later ones are rewrites.
        # Not their text: the timeline shows a rewrite's title and links to the document's diff.
        revisions = (
            DocumentRevision.objects.filter(document_id__in=document_ids).select_related("document").defer("text")
        )
        seen_documents = set()
        for revision in revisions.order_by("document_id", "fetched_at", "id"):
            if revision.document_id in seen_documents:
                events.append(TimelineEvent("revision", revision.fetched_at, revision))
            seen_documents.add(revision.document_id)
        changes = DocumentAvailabilityChange.objects.filter(document_id__in=document_ids).select_related(
            "document__source"
        )
        events += [TimelineEvent("availability", change.checked_at, change) for change in changes]
    if include_newsroom:
        events += newsroom_events(claim)
    events.sort(key=lambda e: (e.at, TIMELINE_EVENT_KINDS.index(e.kind), e.item.pk))
    return events


# The claim page shows this many of a claim's newest appearances, every official statement, and
# all its status changes, verdicts, edits, notes and assignments; the rest on demand.
TIMELINE_APPEARANCES_SHOWN = 50
_APPEARANCE_ANCHOR = re.compile(r"(appearance|evidence)-(\d{1,18})")


@dataclass(frozen=True)
class TimelineWindow:
    events: list[TimelineEvent]
    appearances_shown: int
    appearances_total: int
    shows_all: bool  # asked for (?timeline=all)

    @property
    def is_complete(self) -> bool:
        return self.appearances_shown == self.appearances_total

    @property
    def could_be_cut(self) -> bool:
        """Everything shown on request, of a timeline the default view would cut."""
        return self.shows_all and self.appearances_total > TIMELINE_APPEARANCES_SHOWN


def claim_page_timeline(claim: Claim, *, show_all: bool = False, event: str = "") -> TimelineWindow:
    """The claim page's timeline: with the newsroom's events, and unless `show_all`, only the
    newest TIMELINE_APPEARANCES_SHOWN appearances, every official statement, and the appearance
    that `event` (a permalink's anchor, `appearance-12` or `evidence-7`) points to, so that a
    permalink always lands on its event. A claim with thousands of appearances is drawn in the time
    of a small one. Three queries more than claim_timeline whatever the claim's size (one with
    `show_all`)."""
    total = Appearance.objects.filter(claim=claim).count()
    if show_all:
        return TimelineWindow(claim_timeline(claim, include_newsroom=True), total, total, shows_all=True)
    also = None
    linked = _APPEARANCE_ANCHOR.fullmatch(event or "")
    if linked:
        kind, pk = linked.group(1), int(linked.group(2))
        also = Q(pk=pk) if kind == "appearance" else Q(evidence__pk=pk)
    shown = _newest_and_official(Appearance.objects.filter(claim=claim), TIMELINE_APPEARANCES_SHOWN, also=also)
    events = claim_timeline(claim, include_newsroom=True, appearance_ids=shown)
    return TimelineWindow(events, len(shown), total, shows_all=False)


def _newest_and_official(appearances: QuerySet[Appearance], newest: int, *, also: Q | None = None) -> set[int]:
    """The ids of the `newest` latest of these appearances (one claim's), every official one among
    them, and those matching `also`. Two queries."""
    shown = set(appearances.order_by("-seen_at", "-id").values_list("pk", flat=True)[:newest])
    shown.update(
        appearances.filter(OFFICIAL_APPEARANCES | also if also else OFFICIAL_APPEARANCES).values_list("pk", flat=True)
    )
    return shown


# The public fact-check page lists this many of a claim's newest published appearances and every
# official one; the rest on demand.
FACT_CHECK_APPEARANCES_SHOWN = 50


def fact_check_appearances(claim: Claim, *, show_all: bool = False) -> tuple[list[Appearance], int]:
    """The published appearances the public fact-check page lists, in time order, and how many
    there are: unless `show_all`, the newest FACT_CHECK_APPEARANCES_SHOWN and every official
    statement. Three queries (two with `show_all`), whatever the claim's size."""
    published = published_appearances().filter(claim=claim)
    total = published.count()
    if not show_all:
        published = published.filter(pk__in=_newest_and_official(published, FACT_CHECK_APPEARANCES_SHOWN))
    return list(published.order_by("seen_at", "id")), total


def published_claim(claim_id: int) -> Claim | None:
    """A claim with a published verdict (verdicts prefetched newest first), not merged away; or None.
    Its appearances are fact_check_appearances's or claimreview_appearances's business."""
    return _claims_with_a_verdict().filter(pk=claim_id).first()


def stance_chart_rows(claim: Claim) -> list[tuple[str, datetime, datetime]]:
    """For the chart (claims.charts.stance_chart): a row per source and stance among the claim's
    counted appearances (COUNTED_APPEARANCES: a story change replaces what it supersedes), with when that source was first and last seen taking it.
    One aggregate query, whatever the number of appearances."""
    rows = (
        Appearance.objects.filter(COUNTED_APPEARANCES, claim=claim)
        .values("stance", "source_id")
        .annotate(first_seen_at=Min("seen_at"), last_seen_at=Max("seen_at"))
        .order_by()
    )
    return [(row["stance"], row["first_seen_at"], row["last_seen_at"]) for row in rows]


def newsroom_events(claim: Claim) -> list[TimelineEvent]:
    """The claim's notes (with their mentions) and assignments, begun and ended, as timeline events.
    Three queries."""
    notes = Note.objects.filter(claim=claim).select_related("author", "retracted_by").prefetch_related("mentions")
    events = [TimelineEvent("note", note.created_at, note) for note in notes]
    for assignment in Assignment.objects.filter(claim=claim).select_related("user", "assigned_by", "unassigned_by"):
        events.append(TimelineEvent("assignment", assignment.assigned_at, assignment))
        if assignment.unassigned_at is not None:
            events.append(TimelineEvent("unassignment", assignment.unassigned_at, assignment))
    return events


def current_assignments(timeline: list[TimelineEvent]) -> list[Assignment]:
    """Who is on the claim now, from its timeline (no query)."""
    return [e.item for e in timeline if e.kind == "assignment" and e.item.unassigned_at is None]


def newsroom_users() -> QuerySet:
    """Active journalists and editors (and administrators): who may be mentioned and assigned."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[roles.JOURNALIST, roles.EDITOR]) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


def claim_edits(claim: Claim) -> QuerySet[ClaimEdit]:
    return ClaimEdit.objects.filter(claim=claim).select_related("edited_by").order_by("edited_at", "id")


def edited_since(claim: Claim, moment: datetime) -> datetime | None:
    """When the claim was last edited (update_claim), if that was after `moment`. One query."""
    return ClaimEdit.objects.filter(claim=claim, edited_at__gt=moment).aggregate(last=Max("edited_at"))["last"]


def _described_edit(edit: ClaimEdit) -> ClaimEdit:
    """The edit with what the timeline says of it: `reworded` ([old, new] text, or None) and
    `edited_fields` (the labels of the other fields it changed)."""
    edit.reworded = edit.changes.get("text")
    edit.edited_fields = [
        str(label) for field, label in EDITED_FIELD_LABELS.items() if field in edit.changes and field != "text"
    ]
    return edit


# What the live claim page keys on (claims.views.claim_live's ETag): every write that changes what
# the page shows moves one of these. timeline_version is moved by services._touch, which every
# service adding to the timeline calls; updated_at by update_claim; the rest are the page's header.
LIVE_STATE_FIELDS = (
    "timeline_version", "last_activity_at", "updated_at", "status", "status_changed_at",
    "asserts_count", "denies_count", "reports_count", "merged_into_id",
)  # fmt: skip


def claim_live_state(claim_id: int) -> tuple | None:
    """The claim's LIVE_STATE_FIELDS, None when there is no such claim. One query."""
    return Claim.objects.filter(pk=claim_id).values_list(*LIVE_STATE_FIELDS).first()


def live_state_of(claim: Claim) -> tuple:
    """claim_live_state of a claim already loaded (no query)."""
    return tuple(getattr(claim, field) for field in LIVE_STATE_FIELDS)


def claim_with_related(claim_id: int) -> Claim:
    return (
        Claim.objects.select_related("created_by").prefetch_related("tags", _verdicts_newest_first()).get(pk=claim_id)
    )


# What partners see (REST API, ClaimReview): published data only -----------------------------


def published_appearances(*, include_retracted: bool = False) -> QuerySet[Appearance]:
    """Accepted appearances (never pending or rejected suggestions), unretracted unless asked."""
    appearances = Appearance.objects.filter(review_state=Appearance.ReviewState.ACCEPTED).select_related(
        "source", "document"
    )
    if not include_retracted:
        appearances = appearances.filter(retracted_at__isnull=True)
    return appearances


def _verdicts_newest_first() -> Prefetch:
    return Prefetch(
        "verdicts", queryset=Verdict.objects.order_by("-published_at", "-id"), to_attr="verdicts_newest_first"
    )


def published_claims() -> QuerySet[Claim]:
    """Claims with their tags and verdicts (newest first in `verdicts_newest_first`). Three queries."""
    return Claim.objects.prefetch_related("tags", _verdicts_newest_first())


# The columns of a claim that the API lists; rows, not model instances, because a page of 50
# claims is the API's hot path.
CLAIM_ROW_FIELDS = (
    "id", "slug", "text", "summary", "status", "status_changed_at", "first_seen_at", "last_activity_at",
    "language", "places", "asserts_count", "denies_count", "reports_count", "is_archived", "updated_at",
)  # fmt: skip
VERDICT_ROW_FIELDS = ("id", "rating_value", "rating_name", "best_rating", "worst_rating", "summary", "published_at")


def published_claim_rows() -> QuerySet:
    """Claims as dicts of CLAIM_ROW_FIELDS; complete a page of them with with_tags_and_verdicts.
    Claims merged into another are not listed (their detail redirects to the survivor's)."""
    return Claim.objects.filter(merged_into__isnull=True).values(*CLAIM_ROW_FIELDS)


def with_tags_and_verdicts(rows: list[dict]) -> list[dict]:
    """Add `tags` (sorted names), `wordings` (standing, oldest first: dicts of WORDING_ROW_FIELDS) and
    `verdict` (the current verdict, a dict or None) to claim rows. Three queries, whatever the number
    of rows."""
    ids = [row["id"] for row in rows]
    tags: dict[int, list[str]] = {claim_id: [] for claim_id in ids}
    for claim_id, name in Claim.tags.through.objects.filter(claim_id__in=ids).values_list("claim_id", "tag__name"):
        tags[claim_id].append(name)
    wordings: dict[int, list[dict]] = {claim_id: [] for claim_id in ids}
    standing = ClaimWording.objects.filter(claim_id__in=ids, retracted_at__isnull=True).order_by("created_at", "id")
    for wording in standing.values("claim_id", *WORDING_ROW_FIELDS):
        wordings[wording.pop("claim_id")].append(wording)
    verdicts: dict[int, dict] = {}
    newest_first = Verdict.objects.filter(claim_id__in=ids).order_by("claim_id", "-published_at", "-id")
    for verdict in newest_first.values("claim_id", *VERDICT_ROW_FIELDS):
        verdicts.setdefault(verdict.pop("claim_id"), verdict)
    for row in rows:
        row["tags"] = sorted(tags[row["id"]])
        row["wordings"] = wordings[row["id"]]
        row["verdict"] = verdicts.get(row["id"])
    return rows


# The columns of an appearance and a status change that the claim detail shows.
APPEARANCE_ROW_FIELDS = (
    "id", "claim_id", "stance", "quote", "seen_at", "origin", "review_state", "retracted_at", "retraction_reason",
    "supersedes_id", "superseded_at",
    "source_id", "source__name", "source__kind",
    "document_id", "document__url", "document__title", "document__kind", "document__published_at",
)  # fmt: skip
STATUS_CHANGE_ROW_FIELDS = ("id", "claim_id", "from_status", "to_status", "rationale", "changed_at")
WORDING_ROW_FIELDS = ("language", "text", "is_translation")


# The claim detail is the API's hottest single-object read. Built with the ORM, compiling its
# queries took about three times as long as running them (docs/performance.md, "API"), so it is
# plain SQL that PostgreSQL and SQLite both accept. What is published is still defined once, by
# the ORM selectors above (published_appearances, published_claim_detail): the API tests compare
# this row with ClaimDetailSerializer over published_claim_detail() on the same data, including
# retracted, pending and rejected appearances, on both databases.
_DETAIL_CLAIM_SQL = """
SELECT c.id, c.slug, c.text, c.summary, c.status, c.status_changed_at, c.first_seen_at, c.last_activity_at,
       c.language, c.places, c.asserts_count, c.denies_count, c.reports_count, c.is_archived, c.updated_at,
       v.id, v.rating_value, v.rating_name, v.best_rating, v.worst_rating, v.summary, v.published_at,
       c.merged_into_id,
       c.first_appearance_at, c.first_denial_at, c.first_official_at, c.first_status_change_at, c.first_verdict_at
FROM claims_claim c
LEFT JOIN claims_verdict v ON v.id = (
    SELECT newest.id FROM claims_verdict newest WHERE newest.claim_id = c.id
    ORDER BY newest.published_at DESC, newest.id DESC LIMIT 1
)
WHERE c.id = %s
"""
_DETAIL_TAGS_SQL = """
SELECT t.name FROM claims_claim_tags ct JOIN claims_tag t ON t.id = ct.tag_id WHERE ct.claim_id = %s
"""
_DETAIL_WORDINGS_SQL = """
SELECT w.language, w.text, w.is_translation FROM claims_claimwording w
WHERE w.claim_id = %s AND w.retracted_at IS NULL ORDER BY w.created_at, w.id
"""
_DETAIL_APPEARANCES_SQL = """
SELECT a.id, a.claim_id, a.stance, a.quote, a.seen_at, a.origin, a.review_state, a.retracted_at,
       a.retraction_reason, a.supersedes_id, a.superseded_at, s.id, s.name, s.kind,
       d.id, d.url, d.title, d.kind, d.published_at
FROM claims_appearance a
JOIN sources_source s ON s.id = a.source_id
LEFT JOIN sources_document d ON d.id = a.document_id
WHERE a.claim_id = %s AND a.review_state = %s {retracted}
ORDER BY a.seen_at, a.id
"""
_DETAIL_STATUS_CHANGES_SQL = """
SELECT id, claim_id, from_status, to_status, rationale, changed_at FROM claims_statuschange
WHERE claim_id = %s ORDER BY changed_at, id
"""


def _aware(value) -> datetime | None:
    """A datetime column as the ORM returns it. PostgreSQL gives aware datetimes; SQLite gives
    naive UTC datetimes (Django stores UTC there; text if a converter did not run)."""
    if value is None or isinstance(value, datetime) and timezone.is_aware(value):
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, UTC)


def published_claim_detail_row(claim_id: int, *, include_retracted: bool = False) -> dict | None:
    """The claim as a row of CLAIM_ROW_FIELDS plus `tags` (sorted), `verdict` (the current one, a
    dict of VERDICT_ROW_FIELDS or None), `appearances` (published, in time order; rows of
    APPEARANCE_ROW_FIELDS), `status_history` (in time order; rows of STATUS_CHANGE_ROW_FIELDS) and
    `merged_into_id` (the claim it was merged into, or None), `clock` (the claim's CLOCK_FIELDS),
    `wordings` (standing, oldest first); None when there is no such claim. Five queries: the same
    content as published_claim_detail()."""
    with connection.cursor() as cursor:
        cursor.execute(_DETAIL_CLAIM_SQL, [claim_id])
        found = cursor.fetchone()
        if found is None:
            return None
        verdict_at = len(CLAIM_ROW_FIELDS)
        row = dict(zip(CLAIM_ROW_FIELDS, found[:verdict_at], strict=True))
        for field in ("status_changed_at", "first_seen_at", "last_activity_at", "updated_at"):
            row[field] = _aware(row[field])
        if isinstance(row["places"], str):  # the JSON text; the ORM's JSONField decodes it the same way
            row["places"] = json.loads(row["places"])
        row["is_archived"] = bool(row["is_archived"])
        row["verdict"] = None
        verdict_fields = found[verdict_at : verdict_at + len(VERDICT_ROW_FIELDS)]
        row["merged_into_id"] = found[verdict_at + len(VERDICT_ROW_FIELDS)]
        clock_at = verdict_at + len(VERDICT_ROW_FIELDS) + 1
        row["clock"] = {field: _aware(value) for field, value in zip(CLOCK_FIELDS, found[clock_at:], strict=True)}
        if verdict_fields[0] is not None:  # v.id: the claim has a verdict
            row["verdict"] = dict(zip(VERDICT_ROW_FIELDS, verdict_fields, strict=True))
            row["verdict"]["published_at"] = _aware(row["verdict"]["published_at"])

        cursor.execute(_DETAIL_TAGS_SQL, [claim_id])
        row["tags"] = sorted(name for (name,) in cursor.fetchall())
        cursor.execute(_DETAIL_WORDINGS_SQL, [claim_id])
        row["wordings"] = [
            {"language": language, "text": text, "is_translation": bool(is_translation)}
            for language, text, is_translation in cursor.fetchall()
        ]

        retracted = "" if include_retracted else "AND a.retracted_at IS NULL"
        cursor.execute(
            _DETAIL_APPEARANCES_SQL.format(retracted=retracted), [claim_id, Appearance.ReviewState.ACCEPTED.value]
        )
        row["appearances"] = [dict(zip(APPEARANCE_ROW_FIELDS, values, strict=True)) for values in cursor.fetchall()]
        for appearance in row["appearances"]:
            for field in ("seen_at", "retracted_at", "superseded_at", "document__published_at"):
                appearance[field] = _aware(appearance[field])

        cursor.execute(_DETAIL_STATUS_CHANGES_SQL, [claim_id])
        row["status_history"] = [
            dict(zip(STATUS_CHANGE_ROW_FIELDS, values, strict=True)) for values in cursor.fetchall()
        ]
        for change in row["status_history"]:
            change["changed_at"] = _aware(change["changed_at"])
    return row


def published_claim_detail(*, include_retracted: bool = False) -> QuerySet[Claim]:
    """published_claims plus the published appearances (`published_appearances`, in time order) and
    the status changes (`status_history`) and the standing wordings (`standing_wordings`). Six queries."""
    return published_claims().prefetch_related(
        Prefetch(
            "appearances",
            queryset=published_appearances(include_retracted=include_retracted).order_by("seen_at", "id"),
            to_attr="published_appearances",
        ),
        Prefetch(
            "status_changes", queryset=StatusChange.objects.order_by("changed_at", "id"), to_attr="status_history"
        ),
        Prefetch(
            "wordings",
            queryset=ClaimWording.objects.filter(retracted_at__isnull=True).order_by("created_at", "id"),
            to_attr="standing_wordings",
        ),
    )


def claimreview_appearances(claim: Claim, limit: int) -> list[Appearance]:
    """What a claim's ClaimReview is built from (claims.claimreview.claimreview_jsonld), however
    many appearances the claim has, in time order: its earliest `limit` standing (not superseded)
    published appearances with a document that assert or report it, its earliest asserting one
    (the claim's author), and its earliest one with a document, superseded or not, asserting if
    any asserts (its first appearance). Three queries."""
    spreading = published_appearances().filter(claim=claim, stance__in=(Stance.ASSERTS, Stance.REPORTS))
    in_documents = spreading.filter(document__isnull=False)
    chosen = list(in_documents.filter(superseded_at__isnull=True).order_by("seen_at", "id")[:limit])
    asserting_first = Case(When(stance=Stance.ASSERTS, then=Value(0)), default=Value(1))
    for earliest in (
        spreading.filter(stance=Stance.ASSERTS).order_by("seen_at", "id"),
        in_documents.order_by(asserting_first, "seen_at", "id"),
    ):
        chosen += [a for a in earliest[:1] if a not in chosen]
    return sorted(chosen, key=lambda a: (a.seen_at, a.pk))


def _claims_with_a_verdict() -> QuerySet[Claim]:
    """Claims that have a published verdict (prefetched newest first), not merged into another
    (the survivor's ClaimReview stands for both)."""
    claims = Claim.objects.filter(merged_into__isnull=True)
    return claims.filter(Exists(Verdict.objects.filter(claim=OuterRef("pk")))).prefetch_related(
        _verdicts_newest_first()
    )


def published_claimreviews() -> QuerySet[Claim]:
    """Claims that have a published verdict, ready for claims.claimreview.claimreview_jsonld; not
    those merged into another (the survivor's ClaimReview stands for both)."""
    return _claims_with_a_verdict().prefetch_related(
        Prefetch(
            "appearances",
            queryset=published_appearances().order_by("seen_at", "id"),
            to_attr="published_appearances",
        ),
        Prefetch(
            "wordings",
            queryset=ClaimWording.objects.filter(retracted_at__isnull=True).order_by("created_at", "id"),
            to_attr="standing_wordings",
        ),
    )


def current_verdict(claim: Claim) -> Verdict | None:
    """The claim's current verdict: its newest (ties: the last published). No query for a claim
    loaded by one of the selectors above (verdicts prefetched newest first)."""
    verdicts = getattr(claim, "verdicts_newest_first", None)
    if verdicts is None:
        return claim.verdicts.order_by("-published_at", "-id").first()
    return verdicts[0] if verdicts else None


# A search matching at most this many claims is answered in two steps on PostgreSQL: their ids
# through the trigram and full-text indexes (no ordering), then those claims by latest activity.
# One query lets the planner guess: it misjudges a rare word as common and walks every claim in
# activity order looking for 25 matches (2 s at 100,000 claims instead of a few ms). A word in more
# claims than this is common enough for that walk to find a page quickly.
SEARCH_ID_LIST_LIMIT = 5_000


def search_claims(claims: QuerySet[Claim], query: str) -> QuerySet[Claim]:
    """The claims matching a search, for the claim list page and the API's `q` alike: every word
    must occur in the claim's text, summary or one of its wordings, all read through
    Claim.search_text. The query is normalised and stemmed as the stored text is
    (claimtrack.lib.arabic): "إنسحاب" finds "انسحاب", "والشرطة" finds "الشرطة", "istanbul" finds
    "İstanbul". Substring matching works in any script (a stemmed word still finds the words it is
    part of); on PostgreSQL a websearch full-text match (phrases, OR, -word) of the normalised query
    is accepted as well, with the script-neutral 'simple' configuration."""
    terms = []
    for word in query.split()[:12]:
        if word.startswith("-") or '"' in word or not arabic.words(word):
            # Websearch syntax ("a phrase", -word) or only punctuation: as typed, normalised; the
            # substring match then finds nothing, and on PostgreSQL the websearch match decides.
            terms.append(arabic.normalise(word))
        else:
            terms.extend(arabic.search_terms(word))
    terms = [t for t in terms if t]
    if not terms:
        return claims
    matching = Q()
    for term in terms:
        matching &= Q(search_text__contains=term)
    if connection.vendor != "postgresql":
        return claims.filter(matching)
    from django.contrib.postgres.search import SearchQuery, SearchVector

    searched = claims.annotate(search_vector=SearchVector("search_text", config="simple"))
    matching |= Q(search_vector=SearchQuery(arabic.normalise(query), config="simple", search_type="websearch"))
    ids = list(searched.filter(matching).order_by().values_list("id", flat=True)[: SEARCH_ID_LIST_LIMIT + 1])
    if len(ids) <= SEARCH_ID_LIST_LIMIT:
        return claims.filter(id__in=ids)
    return searched.filter(matching)


def filtered_claim_list(
    *,
    query: str = "",
    status: str = "",
    tag: str = "",
    source_id: int | None = None,
    seen_from: datetime | None = None,
    seen_until: datetime | None = None,
    language: str = "",
) -> QuerySet[Claim]:
    """The claim list page: newest activity first, filtered. The date range is on first seen; the
    language is the claim's, exactly (claim_languages lists those present)."""
    claims = claim_list()
    if query:
        claims = search_claims(claims, query)
    if status:
        claims = claims.filter(status=status)
    if tag:
        claims = claims.filter(tags__name=tag)
    if source_id:
        claims = claims.filter(
            Exists(Appearance.objects.filter(claim=OuterRef("pk"), source_id=source_id, retracted_at__isnull=True))
        )
    if seen_from:
        claims = claims.filter(first_seen_at__gte=seen_from)
    if seen_until:
        claims = claims.filter(first_seen_at__lt=seen_until)
    if language:
        claims = claims.filter(language=language)
    return claims


# The filters' lists of languages present are read from every row (a DISTINCT no index serves: 70 ms
# over 100,000 claims on PostgreSQL), so the cache keeps them this long: a claim in a new language
# joins the select within minutes (a link naming its tag filters at once).
LANGUAGES_CACHE_SECONDS = 300


def _cached(key: str, compute, seconds: int):
    """compute() through the cache; computed directly when the cache is out of reach (Redis down)."""
    try:
        found = cache.get(key)
    except Exception:  # any cache backend's error: the page still works
        return compute()
    if found is None:
        found = compute()
        with contextlib.suppress(Exception):
            cache.set(key, found, seconds)
    return found


def claim_languages() -> list[str]:
    """The languages claims are in (detected when logged, or the journalist's), for the list's
    filter; cached for LANGUAGES_CACHE_SECONDS."""

    def present():
        return list(
            Claim.objects.filter(merged_into__isnull=True)
            .exclude(language="")
            .order_by("language")
            .values_list("language", flat=True)
            .distinct()
        )

    return _cached("claims:claim-languages", present, LANGUAGES_CACHE_SECONDS)


_SIMILARITY_MIN_LENGTH = 4


def similar_claims(text: str, *, limit: int = 5, exclude_id: int | None = None) -> list[Claim]:
    """Existing claims sharing the most distinctive words with the text, best first: shown before
    a new claim is saved so duplicates are not created. Compares with the claims' text, summary and
    every wording (Claim.search_text), Arabic script normalised and stemmed alike. One query."""
    words = sorted(
        {w for w in arabic.search_terms(text or "") if len(w) >= _SIMILARITY_MIN_LENGTH and not w.isdigit()},
        key=len,
        reverse=True,
    )[:8]
    if not words:
        return []
    any_word = Q()
    for word in words:
        any_word |= Q(search_text__contains=word)
    # Only what ranking and the list of candidates show: 200 full claims with their tags and
    # creators cost more than the search itself (40 ms on every claim page at 100,000 claims).
    candidates = list(
        Claim.objects.filter(merged_into__isnull=True)
        .filter(any_word)
        .exclude(pk=exclude_id or 0)
        .order_by("-last_activity_at", "-id")
        .only("id", "text", "slug", "status", "last_activity_at", "search_text")[:200]
    )

    def shared_words(claim):
        return sum(1 for w in words if w in claim.search_text)

    needed = 1 if len(words) <= 2 else 2
    ranked = [c for c in candidates if shared_words(c) >= needed]
    ranked.sort(key=lambda c: (-shared_words(c), -c.last_activity_at.timestamp()))
    return ranked[:limit]


def claim_page_extras(claim: Claim) -> dict:
    """What the claim page shows beside the timeline: evidence attached to the claim itself and
    pending status proposals, and its standing wordings in other languages. Three queries."""
    return {
        "wordings": claim_wordings(claim),
        "claim_evidence": list(
            Evidence.objects.filter(claim=claim, appearance__isnull=True).select_related("uploaded_by", "retracted_by")
        ),
        "pending_proposals": list(
            StatusProposal.objects.filter(claim=claim, state=StatusProposal.State.PENDING).select_related("proposed_by")
        ),
    }


def claim_wordings(claim: Claim) -> list[ClaimWording]:
    """The claim's standing wordings (other languages, other forms), oldest first. One query."""
    return list(ClaimWording.objects.filter(claim=claim, retracted_at__isnull=True).order_by("created_at", "id"))


# Appearances a journalist reviews before they count: ingestion's suggestions and partners' submissions.
REVIEWED_ORIGINS = (Appearance.Origin.SUGGESTED, Appearance.Origin.PARTNER, Appearance.Origin.REVISION)


def pending_appearances(*, language: str = "") -> QuerySet[Appearance]:
    """Waiting for review, on claims still worked on (a duplicate left behind by a merge is not).
    The page's rows are read alone, newest first from the index appearance_pending_newest, and
    their claims, sources and documents by id (four queries): joined in one query, the planner
    joins every pending appearance before sorting (60 ms with 10,000 waiting).

    `language`: the language of the text the appearance was found in, that is its document
    revision's (detected at ingestion), or, for an appearance naming no revision (a partner's
    submission), its document's ("ar" finds a document declared "ar-IQ" too). An appearance
    without a document has no language."""
    pending = Appearance.objects.filter(origin__in=REVIEWED_ORIGINS, review_state=Appearance.ReviewState.PENDING)
    if language:
        in_revision = DocumentRevision.objects.filter(pk=OuterRef("revision_id"), language=language)
        in_document = Document.objects.filter(pk=OuterRef("document_id")).filter(
            Q(language=language) | Q(language__startswith=f"{language}-")
        )
        pending = pending.filter(Exists(in_revision) | (Q(revision__isnull=True) & Exists(in_document)))
    return (
        pending.exclude(claim_id__in=_merged_claim_ids())
        .prefetch_related("claim", "source", "document", "supersedes")
        .order_by("-seen_at", "-id")
    )


def pending_languages() -> list[str]:
    """The languages of the appearances waiting for review (as pending_appearances reads them),
    for the queue's filter; cached for a minute (the queue moves faster than the claim list)."""

    def present():
        pending = Appearance.objects.filter(origin__in=REVIEWED_ORIGINS, review_state=Appearance.ReviewState.PENDING)
        found = set(pending.exclude(revision=None).values_list("revision__language", flat=True).distinct())
        declared = pending.filter(revision=None).exclude(document=None).values_list("document__language", flat=True)
        found.update(primary_language(tag) for tag in declared.distinct())
        return sorted(found - {""})

    return _cached("claims:pending-languages", present, 60)


def pending_proposals() -> QuerySet[StatusProposal]:
    return (
        StatusProposal.objects.filter(state=StatusProposal.State.PENDING)
        .select_related("claim", "proposed_by")
        .order_by("proposed_at", "id")
    )


def official_statements(limit: int) -> list[Appearance]:
    """The newest `limit` accepted appearances by official bodies or in official statements.

    Three queries: the newest of each kind apart (each through its own index: the appearances of
    the official sources, of the official documents), then those appearances. As one query the "or"
    across two joined tables can use no index, and the planner walks every appearance newest first
    looking for a few official ones (1.5 s at a million appearances). Not a UNION: SQLite allows
    no LIMIT inside one."""
    accepted = Appearance.objects.filter(
        review_state=Appearance.ReviewState.ACCEPTED, retracted_at__isnull=True, claim__merged_into__isnull=True
    )
    newest = ("-seen_at", "-id")
    ids = set()
    for official in (BY_OFFICIAL_BODY, IN_OFFICIAL_STATEMENT):
        ids.update(accepted.filter(official).order_by(*newest).values_list("id", flat=True)[:limit])
    return list(
        Appearance.objects.filter(id__in=ids).select_related("claim", "source", "document").order_by(*newest)[:limit]
    )


def claims_with_new_activity() -> QuerySet[Claim]:
    """Claims that changed since their last status change: something for an editor to look at."""
    return claim_list(include_archived=False).filter(last_activity_at__gt=F("status_changed_at"))


def _current_assignment_of(user=None) -> QuerySet[Assignment]:
    current = Assignment.objects.filter(claim=OuterRef("pk"), unassigned_at__isnull=True)
    return current if user is None else current.filter(user=user)


def unassigned_claims_with_new_activity() -> QuerySet[Claim]:
    """Claims with new activity that nobody is on: for an editor to hand out. Merged-away ones are
    their survivor's business."""
    return claims_with_new_activity().filter(merged_into__isnull=True).exclude(Exists(_current_assignment_of()))


def my_claims(user) -> QuerySet[Claim]:
    """The claims `user` is assigned to or follows (merged-away ones hidden), newest activity
    first, annotated `is_assigned`, `is_followed` and `my_assigned_at` (when my current assignment
    began, so the page can tell what happened since). Paged: three queries a page (with tags)."""
    followed = Follow.objects.filter(claim=OuterRef("pk"), user=user, active=True)
    mine = _current_assignment_of(user)
    return (
        claim_list()
        .filter(merged_into__isnull=True)
        .annotate(
            is_assigned=Exists(mine),
            is_followed=Exists(followed),
            my_assigned_at=Subquery(mine.order_by("-assigned_at").values("assigned_at")[:1]),
        )
        .filter(Q(is_assigned=True) | Q(is_followed=True))
    )


def reviewed_suggestions() -> list[tuple[str, str, str, str]]:
    """The journalists' verdicts on suggestions, as training examples: (claim text, document text,
    document title, label), where an accepted suggestion's label is its (possibly corrected)
    stance and a rejected one's is "unrelated". Uses each document's latest revision. Two queries."""
    reviewed = list(
        Appearance.objects.filter(
            origin=Appearance.Origin.SUGGESTED,
            review_state__in=[Appearance.ReviewState.ACCEPTED, Appearance.ReviewState.REJECTED],
            document__isnull=False,
        )
        .exclude(review_state=Appearance.ReviewState.ACCEPTED, stance="")
        .select_related("claim")
        .order_by("id")
    )
    latest = {}
    revisions = DocumentRevision.objects.filter(document_id__in={a.document_id for a in reviewed})
    for revision in revisions.order_by("document_id", "fetched_at", "id"):
        latest[revision.document_id] = revision
    examples = []
    for appearance in reviewed:
        revision = latest.get(appearance.document_id)
        if revision is None:
            continue
        label = appearance.stance if appearance.review_state == Appearance.ReviewState.ACCEPTED else "unrelated"
        examples.append((appearance.claim.text, revision.text, revision.title, label))
    return examples


# Source pages ---------------------------------------------------------------------------------


def _merged_claim_ids() -> QuerySet:
    """The ids of the claims merged into others (few), to leave out the duplicates a merge left on
    them by id rather than by a join to every claim."""
    return Claim.objects.filter(merged_into__isnull=False).values("pk")


def source_appearances(source: Source) -> QuerySet[Appearance]:
    """The source's appearances, newest first, each with its claim and the claim's verdicts (newest
    first: the page's verdict column); not the duplicates a merge left on the absorbed claim. Two
    queries a page. The ratings summary is assertion_ratings, counted over all of them."""
    return (
        Appearance.objects.filter(source=source)
        # Not a join: the page's count then reads only the index appearance_by_source_newest.
        .exclude(claim_id__in=_merged_claim_ids())
        .select_related("claim", "document")
        .prefetch_related(
            Prefetch(
                "claim__verdicts",
                queryset=Verdict.objects.order_by("-published_at", "-id"),
                to_attr="verdicts_newest_first",
            )
        )
        .order_by("-seen_at", "-id")
    )


def _current_rating(claim_ref: str = "claim_id"):
    """A claim's current rating (its newest verdict's), as a subquery on the outer row's `claim_ref`."""
    return Subquery(
        Verdict.objects.filter(claim=OuterRef(claim_ref)).order_by("-published_at", "-id").values("rating_name")[:1]
    )


def assertion_ratings(source: Source) -> dict:
    """How the claims this source asserted were rated: counts by the claim's current verdict and
    status, counting each claim once, over all its counted assertions (COUNTED_APPEARANCES: not one
    the source has since rewritten; not only
    those on one page) and not the duplicates a merge left on an absorbed claim. One query, grouped
    in SQL whatever the number of appearances: a row per (status, current rating)."""
    asserted = (
        Appearance.objects.filter(COUNTED_APPEARANCES, source=source, stance=Stance.ASSERTS)
        .exclude(claim_id__in=_merged_claim_ids())
        .values("claim_id")
    )
    groups = (
        Claim.objects.filter(pk__in=asserted)
        .annotate(current_rating=_current_rating("pk"))
        .values("status", "current_rating")
        .annotate(claims=Count("pk"))
        .order_by()
    )
    false_names = set(false_rating_names())
    by_verdict, by_status = Counter(), Counter()
    rated_false_count = 0
    for group in groups:
        by_verdict[group["current_rating"]] += group["claims"]
        by_status[ClaimStatus(group["status"]).label] += group["claims"]
        if group["status"] in FALSE_STATUSES or group["current_rating"] in false_names:
            rated_false_count += group["claims"]
    return {
        "claims_asserted": by_verdict.total(),
        "rated_false": rated_false_count,
        "by_verdict": sorted(
            ((name, n) for name, n in by_verdict.items() if name), key=lambda item: (-item[1], item[0])
        ),
        "unrated": by_verdict.get(None, 0),
        "by_status": sorted(by_status.items(), key=lambda item: (-item[1], str(item[0]))),
    }


# A claim "rated false": the newsroom ruled it False or Misleading (its status), or its current
# verdict is on the false side of the rating scale (claims.ratings.false_rating_names). The same
# notion for a source's page (assertion_ratings) and the sources directory (with_source_counts).
FALSE_STATUSES = (ClaimStatus.FALSE, ClaimStatus.MISLEADING)


def _current_verdicts() -> QuerySet[Verdict]:
    """Every claim's current verdict (its newest; ties: the last published), as one set: no newer one."""
    newer_verdict = Verdict.objects.filter(claim=OuterRef("claim")).filter(
        Q(published_at__gt=OuterRef("published_at")) | Q(published_at=OuterRef("published_at"), id__gt=OuterRef("id"))
    )
    return Verdict.objects.exclude(Exists(newer_verdict))


def _claims_rated_false() -> Q:
    """A condition on an appearance: its claim is rated false (FALSE_STATUSES, or a current verdict
    on the false side of the scale). As two sets of claim ids, which PostgreSQL hashes once, rather
    than a newest-verdict lookup per appearance."""
    false_verdicts = _current_verdicts().filter(rating_name__in=false_rating_names())
    return Q(claim_id__in=Claim.objects.filter(status__in=FALSE_STATUSES).values("pk")) | Q(
        claim_id__in=false_verdicts.values("claim_id")
    )


def with_source_counts(sources: list[Source]) -> list[Source]:
    """Give each source `appearance_count` (its counted appearances: COUNTED_APPEARANCES) and
    `rated_false_count` (the claims it asserted in one of them that were rated false, the rule of
    FALSE_STATUSES and assertion_ratings).
    One query, whatever the number of sources: on PostgreSQL it reads only the index
    appearance_counted_by_source, never the appearances themselves."""
    counted = (
        Appearance.objects.filter(COUNTED_APPEARANCES, source__in=[source.pk for source in sources])
        # As source_appearances: not a duplicate left behind by a merge (merged claims are few).
        .exclude(claim_id__in=_merged_claim_ids())
        .values("source_id")
        .annotate(
            appearances=Count("claim_id"),  # (not "pk": the id is not in the index)
            rated_false=Count("claim_id", filter=Q(stance=Stance.ASSERTS) & _claims_rated_false(), distinct=True),
        )
        .order_by()
    )
    counts = {row["source_id"]: row for row in counted} if sources else {}
    for source in sources:
        row = counts.get(source.pk, {})
        source.appearance_count = row.get("appearances", 0)
        source.rated_false_count = row.get("rated_false", 0)
    return sources


def claim_audit_trail(claim: Claim) -> list[AuditEntry]:
    """Every recorded write to the claim and what hangs off it, oldest first. Seven queries."""
    entries = history_entries(Claim.history.filter(id=claim.pk), "claim")
    entries += history_entries(Appearance.history.filter(claim_id=claim.pk), "appearance")
    entries += history_entries(StatusChange.history.filter(claim_id=claim.pk), "status change")
    entries += history_entries(Verdict.history.filter(claim_id=claim.pk), "verdict")
    entries += history_entries(Evidence.history.filter(claim_id=claim.pk), "evidence")
    entries += history_entries(Note.history.filter(claim_id=claim.pk), "note")
    entries += history_entries(Assignment.history.filter(claim_id=claim.pk), "assignment")
    return sorted(entries, key=lambda e: e.at)


# Merges ---------------------------------------------------------------------------------------

MERGE_CHAIN_LIMIT = 20


def final_survivor_id(claim_id: int) -> int | None:
    """The claim a merged claim's pages redirect to: its merged_into, followed to a claim not merged
    (merges keep chains one step long, see services.merge_claims; this follows longer ones too, and
    stops after MERGE_CHAIN_LIMIT steps). None when the claim was not merged or does not exist."""
    survivor, seen = None, {claim_id}
    current = claim_id
    for _step in range(MERGE_CHAIN_LIMIT):
        following = Claim.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if following is None or following in seen:
            break
        survivor = current = following
        seen.add(following)
    return survivor


def pending_merge_proposals() -> QuerySet[MergeProposal]:
    """Merge proposals waiting for an editor, oldest first, with both claims and the proposer."""
    return (
        MergeProposal.objects.filter(state=MergeProposal.State.PENDING)
        .select_related("absorbed", "into", "proposed_by")
        .order_by("proposed_at", "id")
    )


def claim_merge_proposals(claim: Claim) -> list[MergeProposal]:
    """Pending merge proposals naming the claim, either way round. One query."""
    return list(pending_merge_proposals().filter(Q(absorbed=claim) | Q(into=claim)))


# Follows and notifications (written by claims/notifications.py) -------------------------------


def is_following(claim: Claim, user) -> bool:
    """Whether the user follows the claim (the claim page's follow button). One query."""
    return Follow.objects.filter(claim=claim, user=user, active=True).exists()


def unread_notification_count(user) -> int:
    """The header's count. One query, on the (recipient, read_at) index."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def user_notifications(user) -> QuerySet:
    """The user's notifications, newest first, with what each row shows: paginate it (two queries
    a page, however many there are)."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("claim", "actor", "appearance__source", "status_change", "verdict")
        .order_by("-created_at", "-id")
    )


def notification_email_choice(user) -> str:
    """How the user wants to be emailed (immediately when they never said)."""
    choice = NotificationSettings.objects.filter(user=user).values_list("email", flat=True).first()
    return choice or NotificationSettings.Email.IMMEDIATELY
