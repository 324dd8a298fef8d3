"""Read queries of the claims domain, shared by pages and the API.

Every selector runs a fixed number of queries, whatever the number of rows it returns.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from sources.models import DocumentRevision

from .models import Appearance, Claim, StatusChange, Verdict


def claim_list(*, include_archived: bool = True) -> QuerySet[Claim]:
    claims = Claim.objects.select_related("created_by").prefetch_related("tags")
    if not include_archived:
        claims = claims.filter(is_archived=False)
    return claims.order_by("-last_activity_at", "-id")


def current_verdict(claim: Claim) -> Verdict | None:
    return claim.verdicts.order_by("-published_at", "-id").first()


@dataclass(frozen=True)
class TimelineEvent:
    kind: str  # "appearance", "status_change", "verdict" or "revision"
    at: datetime
    item: object

    @property
    def anchor(self) -> str:
        """The fragment of the event's permalink on the claim page."""
        return f"{self.kind.replace('_', '-')}-{self.item.pk}"


_EVENT_ORDER = {"status_change": 0, "appearance": 1, "revision": 2, "verdict": 3}


def claim_timeline(
    claim: Claim, *, include_pending: bool = True, include_retracted: bool = True
) -> list[TimelineEvent]:
    """Every event of the claim in time order: appearances, status changes, verdicts and the
    revisions of documents the claim appears in. Four queries."""
    appearances = (
        Appearance.objects.filter(claim=claim)
        .select_related("source", "document", "recorded_by", "reviewed_by", "retracted_by")
        .prefetch_related("evidence")
    )
    if not include_pending:
        appearances = appearances.exclude(review_state=Appearance.ReviewState.PENDING)
        appearances = appearances.exclude(review_state=Appearance.ReviewState.REJECTED)
    if not include_retracted:
        appearances = appearances.filter(retracted_at__isnull=True)
    appearances = list(appearances)
    document_ids = {a.document_id for a in appearances if a.document_id}
    events = [TimelineEvent("appearance", a.seen_at, a) for a in appearances]
    events += [
        TimelineEvent("status_change", s.changed_at, s)
        for s in StatusChange.objects.filter(claim=claim).select_related("changed_by")
    ]
    events += [
        TimelineEvent("verdict", v.published_at, v)
        for v in Verdict.objects.filter(claim=claim).select_related("author")
    ]
    if document_ids:
        # The first revision is the document as first seen; later ones are rewrites.
        revisions = DocumentRevision.objects.filter(document_id__in=document_ids).select_related("document")
        seen_documents = set()
        for revision in revisions.order_by("document_id", "fetched_at", "id"):
            if revision.document_id in seen_documents:
                events.append(TimelineEvent("revision", revision.fetched_at, revision))
            seen_documents.add(revision.document_id)
    events.sort(key=lambda e: (e.at, _EVENT_ORDER[e.kind], e.item.pk))
    return events


def claim_with_related(claim_id: int) -> Claim:
    return (
        Claim.objects.select_related("created_by")
        .prefetch_related("tags", Prefetch("verdicts", queryset=Verdict.objects.order_by("-published_at", "-id")))
        .get(pk=claim_id)
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
    "language", "places", "asserts_count", "denies_count", "reports_count", "is_archived",
)  # fmt: skip
VERDICT_ROW_FIELDS = ("rating_value", "rating_name", "best_rating", "worst_rating", "summary", "published_at")


def published_claim_rows() -> QuerySet:
    """Claims as dicts of CLAIM_ROW_FIELDS; complete a page of them with with_tags_and_verdicts."""
    return Claim.objects.values(*CLAIM_ROW_FIELDS)


def with_tags_and_verdicts(rows: list[dict]) -> list[dict]:
    """Add `tags` (sorted names) and `verdict` (the latest, a dict or None) to claim rows. Two
    queries, whatever the number of rows."""
    ids = [row["id"] for row in rows]
    tags: dict[int, list[str]] = {claim_id: [] for claim_id in ids}
    for claim_id, name in Claim.tags.through.objects.filter(claim_id__in=ids).values_list("claim_id", "tag__name"):
        tags[claim_id].append(name)
    verdicts: dict[int, dict] = {}
    newest_first = Verdict.objects.filter(claim_id__in=ids).order_by("claim_id", "-published_at", "-id")
    for verdict in newest_first.values("claim_id", *VERDICT_ROW_FIELDS):
        verdicts.setdefault(verdict.pop("claim_id"), verdict)
    for row in rows:
        row["tags"] = sorted(tags[row["id"]])
        row["verdict"] = verdicts.get(row["id"])
    return rows


def published_claim_detail(*, include_retracted: bool = False) -> QuerySet[Claim]:
    """published_claims plus the published appearances (`published_appearances`, in time order) and
    the status changes (`status_history`). Five queries."""
    return published_claims().prefetch_related(
        Prefetch(
            "appearances",
            queryset=published_appearances(include_retracted=include_retracted).order_by("seen_at", "id"),
            to_attr="published_appearances",
        ),
        Prefetch(
            "status_changes", queryset=StatusChange.objects.order_by("changed_at", "id"), to_attr="status_history"
        ),
    )


def published_claimreviews() -> QuerySet[Claim]:
    """Claims that have a published verdict, ready for claims.claimreview.claimreview_jsonld."""
    return Claim.objects.filter(Exists(Verdict.objects.filter(claim=OuterRef("pk")))).prefetch_related(
        _verdicts_newest_first(),
        Prefetch(
            "appearances",
            queryset=published_appearances().order_by("seen_at", "id"),
            to_attr="published_appearances",
        ),
    )


def latest_verdict(claim: Claim) -> Verdict | None:
    """The current verdict from a claim loaded by one of the selectors above."""
    verdicts = getattr(claim, "verdicts_newest_first", None)
    if verdicts is None:
        return current_verdict(claim)
    return verdicts[0] if verdicts else None
