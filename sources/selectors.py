"""Read queries of the sources domain."""

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from .diff import TextDiff, word_diff
from .models import Document, Feed, FeedEntry, Snapshot, Source
from .services import canonicalize_url


def source_list() -> QuerySet[Source]:
    return Source.objects.order_by("name")


def current_sources() -> QuerySet[Source]:
    """Sources not merged away: what lists, pickers and the API list show."""
    return Source.objects.filter(merged_into__isnull=True).order_by("name", "id")


def source_directory(*, query: str = "", kind: str = "", country: str = "", language: str = "") -> QuerySet[Source]:
    """The sources directory: sources not merged away, by name, filtered: `query` a part of the
    name (any case), `kind`, `country` (any case), `language` (the tag or its primary language:
    "ar" finds "ar" and "ar-IQ"). Complete a page of it with
    claims.selectors.with_source_counts."""
    sources = current_sources()
    if query.strip():
        sources = sources.filter(name__icontains=query.strip())
    if kind:
        sources = sources.filter(kind=kind)
    if country.strip():
        sources = sources.filter(country__iexact=country.strip())
    if language.strip():
        tag = language.strip()
        sources = sources.filter(Q(language__iexact=tag) | Q(language__istartswith=f"{tag}-"))
    return sources


SOURCE_SEARCH_LIMIT = 20


def source_name_matches(query: str, *, limit: int = SOURCE_SEARCH_LIMIT) -> list[Source]:
    """Sources not merged away whose name contains `query` (any case), for the source pickers:
    names starting with it first, then by name. One query."""
    query = (query or "").strip()
    if not query:
        return []
    return list(
        current_sources()
        .filter(name__icontains=query)
        .annotate(
            starts=Case(When(name__istartswith=query, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("starts", "name", "id")
        .only("pk", "name", "kind")[:limit]
    )


def document_for_url(url: str) -> Document | None:
    """The known document at this address (after canonicalisation), with its source."""
    try:
        canonical = canonicalize_url(url)
    except ValidationError:  # an unparsable address is simply not known
        return None
    return Document.objects.select_related("source").filter(canonical_url=canonical).first()


def feed_health_list() -> QuerySet[Feed]:
    """Every feed with its source and entry counts, unhealthy ones first."""
    return (
        Feed.objects.select_related("source")
        .annotate(
            pending_entries=Count("entries", filter=Q(entries__state=FeedEntry.State.PENDING)),
            failed_entries=Count("entries", filter=Q(entries__state=FeedEntry.State.FAILED)),
        )
        .order_by("-consecutive_failures", "source__name", "url")
    )


def source_feeds(source: Source) -> QuerySet[Feed]:
    return Feed.objects.filter(source=source).order_by("url")


def document_queryset() -> QuerySet[Document]:
    return Document.objects.select_related("source")


def document_history(document: Document) -> list[dict]:
    """The document's revisions, oldest first, each with its word-level changes from the previous
    (`by_paragraph` when some were too long to compare word by word: sources.diff bounds the work)."""
    revisions = list(document.revisions.select_related("snapshot").order_by("fetched_at", "id"))
    history, previous = [], None
    for revision in revisions:
        changes = word_diff(previous.text, revision.text) if previous else TextDiff()
        history.append(
            {
                "revision": revision,
                "title_changed": previous is not None and previous.title != revision.title,
                "previous_title": previous.title if previous else "",
                "changes": changes.segments,
                "by_paragraph": changes.by_paragraph,
            }
        )
        previous = revision
    return history


def on_demand_snapshots(document: Document) -> list[Snapshot]:
    """The snapshots journalists asked for of this document, oldest first, with the latest
    request's outcome even when its body was preserved before (then the row is an older one)."""
    snapshots = list(Snapshot.objects.filter(document=document, on_demand=True).order_by("fetched_at", "id"))
    if document.last_snapshot_id and all(s.pk != document.last_snapshot_id for s in snapshots):
        snapshots.append(document.last_snapshot)
    return snapshots
