"""Read queries of the sources domain."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from .diff import TextDiff, word_diff
from .models import Document, Feed, FeedEntry, Source
from .services import canonicalize_url


def source_list() -> QuerySet[Source]:
    return Source.objects.order_by("name")


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
    revisions = list(document.revisions.order_by("fetched_at", "id"))
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
