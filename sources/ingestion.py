"""Ingestion services: add a feed, poll it, fetch its articles, re-check documents for rewrites.

The Celery tasks (sources/tasks.py) and `manage.py ingest` call these same functions. Each unit of
work (a feed, a feed entry, a document re-check) is claimed with a conditional UPDATE that sets a
lease, so two workers never do the same work at once and work held by a worker that died is
picked up again once its lease expires. Expected failures (refused or failed fetches, malformed
feeds, pages without text) are recorded on the row and returned, never raised.
"""

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django import db
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from claimtrack import outbound, politeness
from claimtrack.lib.backoff import backoff_seconds
from claimtrack.lib.text import storable_text

from . import robots, snapshots
from .extraction import NotAFeed, NotAnArticle, extract_article, parse_feed
from .models import Document, DocumentAvailabilityChange, Feed, FeedEntry, Source
from .selectors import document_for_url
from .services import (
    canonicalize_url,
    get_or_create_document,
    get_or_create_source,
    record_availability,
    record_revision,
)

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
ARTICLE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
NOT_FEED_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")
MAX_BACKOFF = timedelta(hours=24)
# A scheduled re-check that failed transiently is tried again after about this long.
RECHECK_RETRY_AFTER = timedelta(minutes=30)
RETRY_LATER_STATUSES = {408, 425, 429, 500, 502, 503, 504}
# A re-check answered with these: the page was taken down.
GONE_STATUSES = {404, 410}
DOCUMENT_KIND_FOR_SOURCE = {
    Source.Kind.OFFICIAL_BODY: Document.Kind.OFFICIAL_STATEMENT,
    Source.Kind.SOCIAL_ACCOUNT: Document.Kind.SOCIAL_POST,
}


@dataclass
class Outcome:
    """What one unit of work did."""

    claimed: bool = True
    new_document: bool = False
    new_revision: bool = False
    error: str = ""
    retry: bool = False  # a transient failure: worth trying again later
    pending_entry_ids: list[int] = field(default_factory=list)


@dataclass
class IngestSummary:
    feeds_polled: int = 0
    new_documents: int = 0
    new_revisions: int = 0
    errors: int = 0

    def count(self, outcome: Outcome) -> None:
        self.new_documents += outcome.new_document
        self.new_revisions += outcome.new_revision
        self.errors += bool(outcome.error)

    def line(self) -> str:
        return (
            f"feeds polled: {self.feeds_polled}, new documents: {self.new_documents}, "
            f"new revisions: {self.new_revisions}, errors: {self.errors}"
        )


class _Unfetchable(Exception):
    def __init__(self, reason: str, *, retry: bool = False, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.status = status  # the HTTP status, when the server answered with an error


# Claiming ----------------------------------------------------------------------------------------


def _error_text(error) -> str:
    """An error as stored on a feed, entry or document: it may quote the remote server, so it is
    made storable (no NUL) and cut to the column's 2,000 characters."""
    return storable_text(str(error))[:2000]


def _lease() -> timedelta:
    # Longer than the longest task (settings.INGEST_LEASE_SECONDS), so a live worker keeps its claim.
    return timedelta(seconds=settings.INGEST_LEASE_SECONDS)


def _claim(queryset, **changes) -> bool:
    """Take the lease on the single row of `queryset` if nobody holds it; true when taken."""
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return queryset.filter(free).update(lease_until=now + _lease(), **changes) == 1


def feed_backoff(feed: Feed, failures: int) -> timedelta:
    """The wait before polling again: the poll interval, doubled per consecutive failure up to a
    day (or up to the poll interval itself when that is longer), minus up to a tenth of jitter so
    failing feeds of one host do not all come back at once."""
    interval = feed.poll_interval.total_seconds()
    cap = max(interval, MAX_BACKOFF.total_seconds())
    return timedelta(seconds=backoff_seconds(failures, base=interval, cap=cap, jitter=0.1))


# Fetching ----------------------------------------------------------------------------------------


def _fetch(url: str, *, accept: str, conditional: dict | None = None) -> outbound.OutboundResponse:
    try:
        politeness.wait_for_turn(urlsplit(url).hostname or "", max_wait=settings.CELERY_TASK_SOFT_TIME_LIMIT / 4)
        response = outbound.request("GET", url, headers={"Accept": accept}, conditional=conditional)
    except outbound.OutboundRequestRefused as error:
        raise _Unfetchable(_("refused: %(reason)s") % {"reason": error.reason}) from None
    except outbound.OutboundRequestFailed as error:
        raise _Unfetchable(_("fetch failed: %(reason)s") % {"reason": error.reason}, retry=error.transient) from None
    except politeness.HostBusy as error:
        raise _Unfetchable(str(error), retry=True) from None
    if response.status_code >= 400:
        raise _Unfetchable(
            _("the server answered HTTP %(status)s") % {"status": response.status_code},
            retry=response.status_code in RETRY_LATER_STATUSES,
            status=response.status_code,
        )
    return response


def _validators(response: outbound.OutboundResponse) -> dict:
    """The response's cache validators, kept to fetch the same URL conditionally next time (one
    that could not be sent back, or too long to store whole, is not kept)."""
    etag, last_modified = response.headers.get("etag", ""), response.headers.get("last-modified", "")
    return {
        "etag": etag if outbound.usable_validator(etag) and len(etag) <= 500 else "",
        "last_modified": last_modified
        if outbound.usable_validator(last_modified) and len(last_modified) <= 100
        else "",
    }


@dataclass(frozen=True)
class FetchedArticle:
    url: str  # after redirects
    article: object  # extraction.Article
    validators: dict  # see _validators
    response: outbound.OutboundResponse | None = None  # preserved with the revision (sources.snapshots)


def _fetch_page(url: str, *, conditional: dict | None = None) -> outbound.OutboundResponse:
    """Fetch a page as an article is fetched: robots.txt permitting, in the host's turn."""
    try:
        if not robots.is_allowed(url):
            raise _Unfetchable(_("robots.txt does not allow fetching this page"))
    except robots.RobotsUnavailable as error:
        raise _Unfetchable(str(error), retry=True) from None
    except outbound.OutboundRequestRefused as error:
        raise _Unfetchable(_("refused: %(reason)s") % {"reason": error.reason}) from None
    return _fetch(url, accept=ARTICLE_ACCEPT, conditional=conditional)


def _fetch_article(url: str, extract=extract_article, *, conditional: dict | None = None) -> FetchedArticle | None:
    """Fetch an article page (robots.txt permitting) and extract it. With `conditional` (the
    validators of the stored copy), None means the server answered 304 Not Modified."""
    response = _fetch_page(url, conditional=conditional)
    # outbound sends the validators to `url` only, never on to a redirect's target.
    if response.not_modified and response.url == url and conditional and any(conditional.values()):
        return None
    if response.status_code != 200:
        raise _Unfetchable(_("the server answered HTTP %(status)s") % {"status": response.status_code})
    try:
        article = extract(response.content, response.url, response.content_type)
    except NotAnArticle as error:
        raise _Unfetchable(str(error)) from None
    return FetchedArticle(url=response.url, article=article, validators=_validators(response), response=response)


# Feeds -------------------------------------------------------------------------------------------


def add_feed(*, url: str, source: Source | None = None, source_name: str = "", poll_interval=None) -> Feed:
    """Register a feed for a source (created as a news outlet when only a name is given). The feed is
    fetched once to check it is reachable and a feed, and to detect its kind."""
    url = (url or "").strip()
    try:
        canonicalize_url(url)  # http or https, well-formed
    except ValidationError:
        raise ValidationError({"url": _("Enter a valid http or https address.")}) from None
    if Feed.objects.filter(url=url).exists():
        raise ValidationError({"url": _("This feed is already registered.")})
    try:
        response = _fetch(url, accept=FEED_ACCEPT)
        kind = parse_feed(response.content, response.content_type).kind
    except _Unfetchable as error:
        raise ValidationError({"url": _("Could not use this feed: %(reason)s") % {"reason": error.reason}}) from None
    except NotAFeed as error:
        raise ValidationError({"url": _("This address is not a feed: %(reason)s") % {"reason": error}}) from None
    with transaction.atomic():
        if source is None:
            source, _created = get_or_create_source(name=source_name, kind=Source.Kind.NEWS_OUTLET)
        feed = Feed(source=source, url=url, kind=kind)
        if poll_interval is not None:
            feed.poll_interval = poll_interval
        feed.full_clean()
        feed.save()
    return feed


# A poll looks at no more than this many of a feed's items per new entry it may store: a huge feed
# whose newest items are all known costs a few queries, and its oldest items are never looked at.
ITEMS_LOOKED_AT_PER_NEW_ENTRY = 10


def _newest_first(item) -> tuple:
    # Dated items newest first, then the undated ones in the feed's own order (the sort is stable).
    return (item.published_at is None, -item.published_at.timestamp() if item.published_at else 0)


def _store_entries(feed: Feed, items) -> tuple[str, str]:
    """Add the feed's items not seen before as pending entries, newest first and at most
    FEED_MAX_NEW_ENTRIES_PER_POLL of them. Returns a problem (items without a usable link) and a
    note (items left for later polls), either empty."""
    limit = settings.FEED_MAX_NEW_ENTRIES_PER_POLL
    ordered = sorted(items, key=_newest_first)[: limit * ITEMS_LOOKED_AT_PER_NEW_ENTRY]
    new, skipped, looked_at = {}, 0, 0
    while looked_at < len(ordered) and len(new) < limit:
        batch = ordered[looked_at : looked_at + limit]
        looked_at += len(batch)
        valid = {}
        for item in batch:  # parse_feed has already made links and titles storable
            try:
                canonicalize_url(item.url)
            except ValidationError:
                skipped += 1
                continue
            if len(item.url) <= 2000 and item.url not in new:
                valid.setdefault(item.url, item)
        known = set(FeedEntry.objects.filter(feed=feed, url__in=list(valid)).values_list("url", flat=True))
        new.update((url, item) for url, item in valid.items() if url not in known)
    FeedEntry.objects.bulk_create(
        [
            FeedEntry(feed=feed, url=item.url, title=item.title, published_at=item.published_at)
            for item in list(new.values())[:limit]
        ],
        ignore_conflicts=True,  # another worker polling the same feed stored it first
    )
    problem = _("%(count)s items without a usable link were skipped") % {"count": skipped} if skipped else ""
    note = ""
    if len(new) > limit or looked_at < len(items):
        note = _(
            "the feed lists %(count)s items: a poll stores at most %(limit)s new ones, newest first, from its "
            "newest %(window)s; the rest wait for the next polls, or are ignored beyond those"
        ) % {"count": len(items), "limit": limit, "window": limit * ITEMS_LOOKED_AT_PER_NEW_ENTRY}
    return problem, note


def _feed_failed(feed: Feed, reason: str) -> Outcome:
    failures = feed.consecutive_failures + 1
    now = timezone.now()
    Feed.objects.filter(pk=feed.pk).update(
        last_fetched_at=now,
        last_status=Feed.PollStatus.ERROR,
        last_error=_error_text(reason),
        consecutive_failures=failures,
        next_fetch_at=now + feed_backoff(feed, failures),
        lease_until=None,
    )
    logger.info("feed %s failed (%s in a row): %s", feed.url, failures, reason)
    return Outcome(error=f"{feed.url}: {reason}")


def poll_feed(*, feed_id: int) -> Outcome:
    """Fetch the feed (conditionally), store its new items as pending entries, and schedule the
    next poll. Returns the ids of the feed's entries waiting to be fetched."""
    if not _claim(Feed.objects.filter(pk=feed_id, active=True)):
        return Outcome(claimed=False)
    feed = Feed.objects.get(pk=feed_id)
    try:
        try:
            response = _fetch(
                feed.url, accept=FEED_ACCEPT, conditional={"etag": feed.etag, "last_modified": feed.last_modified}
            )
        except _Unfetchable as error:
            return _feed_failed(feed, error.reason)
        now = timezone.now()
        updates = {
            "last_fetched_at": now,
            "last_success_at": now,
            "consecutive_failures": 0,
            "next_fetch_at": now + feed_backoff(feed, 0),
            "lease_until": None,
        }
        problem = ""
        if response.not_modified:
            # Nothing changed: nothing is parsed or stored.
            updates.update(last_status=Feed.PollStatus.NOT_MODIFIED, last_error="")
        else:
            if response.status_code != 200:
                return _feed_failed(feed, _("the server answered HTTP %(status)s") % {"status": response.status_code})
            if response.content_type.startswith(NOT_FEED_TYPES):
                return _feed_failed(feed, _("not a feed (content type %(type)s)") % {"type": response.content_type})
            try:
                parsed = parse_feed(response.content, response.headers.get("content-type", ""))
            except NotAFeed as error:
                return _feed_failed(feed, _("not a feed: %(reason)s") % {"reason": error})
            problems = [_("malformed feed: %(reason)s") % {"reason": parsed.problem}] if parsed.problem else []
            try:
                with transaction.atomic():
                    skipped, note = _store_entries(feed, parsed.items)
            except (DatabaseError, ValueError) as error:
                # The feed must not look healthy while storing nothing: the failure is the feed's.
                logger.exception("storing the items of feed %s failed", feed.url)
                return _feed_failed(feed, _("its items could not be stored: %(reason)s") % {"reason": error})
            if skipped:
                problems.append(skipped)
            problem = "; ".join(problems)
            updates.update(
                kind=parsed.kind,
                # Validators of a redirect's target would be sent to the feed's own URL next time.
                **(_validators(response) if response.url == feed.url else {"etag": "", "last_modified": ""}),
                items_seen=FeedEntry.objects.filter(feed=feed).count(),
                last_status=Feed.PollStatus.MALFORMED if parsed.problem else Feed.PollStatus.OK,
                # The note (items left for later polls) is shown with the feed, but is not a failure.
                last_error=_error_text("; ".join(filter(None, [problem, note]))),
            )
        Feed.objects.filter(pk=feed.pk).update(**updates)
    finally:
        Feed.objects.filter(pk=feed_id, lease_until__isnull=False).update(lease_until=None)
    # The newest pending entries, as many as a poll stores; older ones are queued again by
    # take_due_work once stale.
    pending = sorted(
        FeedEntry.objects.filter(feed_id=feed_id, state=FeedEntry.State.PENDING)
        .order_by("-id")
        .values_list("id", flat=True)[: settings.FEED_MAX_NEW_ENTRIES_PER_POLL]
    )
    return Outcome(error=f"{feed.url}: {problem}" if problem else "", pending_entry_ids=pending)


# Articles ----------------------------------------------------------------------------------------


def _finish_entry(entry: FeedEntry, *, document=None, error="", retry=False) -> None:
    if document is not None:
        state = FeedEntry.State.DONE
    elif retry and entry.attempts < FeedEntry.MAX_ATTEMPTS:
        state = FeedEntry.State.PENDING
    else:
        state = FeedEntry.State.FAILED
    FeedEntry.objects.filter(pk=entry.pk).update(
        state=state,
        document=document,
        last_error=_error_text(error),
        lease_until=None,
        updated_at=timezone.now(),
    )


def _give_up_if_attempts_lost(entry_id: int) -> None:
    """An entry still pending after all its attempts lost each of them with its worker (an article
    that kills the worker every time, say): recorded as failed instead of queued again forever."""
    now = timezone.now()
    FeedEntry.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        pk=entry_id,
        state=FeedEntry.State.PENDING,
        attempts__gte=FeedEntry.MAX_ATTEMPTS,
    ).update(
        state=FeedEntry.State.FAILED,
        lease_until=None,
        last_error=_("given up: the worker stopped while fetching it %(count)s times")
        % {"count": FeedEntry.MAX_ATTEMPTS},
        updated_at=now,
    )


def _first_check_at(first_seen_at):
    hours = settings.DOCUMENT_RECHECK_AFTER_HOURS
    return first_seen_at + timedelta(hours=hours[0]) if hours else None


def fetch_entry(*, entry_id: int, extract=extract_article) -> Outcome:
    """Fetch a feed entry's article and store it as a document with its first revision. Safe to
    run twice: a stored entry is skipped, and a document is unique by canonical URL."""
    attempts_left = FeedEntry.objects.filter(
        pk=entry_id, state=FeedEntry.State.PENDING, attempts__lt=FeedEntry.MAX_ATTEMPTS
    )
    if not _claim(attempts_left, attempts=F("attempts") + 1):
        _give_up_if_attempts_lost(entry_id)
        return Outcome(claimed=False)
    entry = FeedEntry.objects.select_related("feed__source").get(pk=entry_id)
    try:
        existing = document_for_url(entry.url)
        if existing is not None:
            _finish_entry(entry, document=existing)
            return Outcome()
        try:
            fetched = _fetch_article(entry.url, extract)
        except _Unfetchable as error:
            _finish_entry(entry, error=error.reason, retry=error.retry)
            will_retry = error.retry and entry.attempts < FeedEntry.MAX_ATTEMPTS
            return Outcome(error=f"{entry.url}: {error.reason}", retry=will_retry)
        source = entry.feed.source
        try:
            # One transaction (one commit) for the document, its revision with its snapshot and the
            # entry's state; none is held while fetching. The snapshot's file is written before it.
            with snapshots.preserving(fetched.response) as snapshot, transaction.atomic():
                document, created = _store_document(entry, source, fetched.url, fetched.article)
                revision = record_revision(
                    document=document,
                    title=fetched.article.title or entry.title,
                    text=fetched.article.text,
                    page_language=fetched.article.language,
                )
                if revision is not None:
                    snapshot.attach(revision)
                _keep_validators(document, fetched)
                _finish_entry(entry, document=document)
        except ValidationError as error:
            reason = "; ".join(error.messages)
            _finish_entry(entry, error=reason)
            return Outcome(error=f"{entry.url}: {reason}")
        return Outcome(new_document=created, new_revision=revision is not None and not created)
    except BaseException as error:
        # Unexpected (or the soft time limit): free the entry for another attempt, unless it has
        # had all its attempts.
        gave_up = entry.attempts >= FeedEntry.MAX_ATTEMPTS
        FeedEntry.objects.filter(pk=entry_id).update(
            lease_until=None,
            state=FeedEntry.State.FAILED if gave_up else FeedEntry.State.PENDING,
            last_error=_error_text(f"{type(error).__name__}: {error}"),
        )
        raise


def _store_document(entry: FeedEntry, source: Source, final_url: str, article):
    now = timezone.now()
    document, created = get_or_create_document(
        url=final_url,
        canonical_url=article.canonical_url,
        source=source,
        kind=DOCUMENT_KIND_FOR_SOURCE.get(source.kind, Document.Kind.ARTICLE),
        title=article.title,
        published_at=entry.published_at or article.published_at,
        language=article.language,
        author=article.author,
        first_seen_at=now,
        next_check_at=_first_check_at(now),
    )
    return document, created


def _keep_validators(document: Document, fetched: FetchedArticle) -> None:
    """After storing a fetched copy: keep its validators for conditional re-checks of the
    document's URL. A copy that came from another URL (a redirect, or a variant merged by its
    canonical link) clears them instead, since a 304 for the document's URL would then vouch for
    a copy that is not the latest revision; the next re-check is unconditional."""
    if fetched.url == document.url:
        Document.objects.filter(pk=document.pk).update(**fetched.validators)
    else:
        Document.objects.filter(pk=document.pk).update(etag="", last_modified="")


# Re-checks ---------------------------------------------------------------------------------------


def _next_check_after(document: Document, checks_done: int):
    """The first scheduled re-check still in the future, and how many slots that skips to."""
    hours = settings.DOCUMENT_RECHECK_AFTER_HOURS
    now = timezone.now()
    while checks_done < len(hours):
        due = document.first_seen_at + timedelta(hours=hours[checks_done])
        if due > now:
            return due, checks_done
        checks_done += 1
    return None, checks_done


def recheck_document(*, document_id: int, check_number: int | None = None, extract=extract_article) -> Outcome:
    """Fetch the document again and record a revision when its content changed. With
    `check_number` this is that scheduled re-check (run at most once: the claim requires
    checks_done == check_number) and the schedule moves on; without, an extra check now."""
    scope = Document.objects.filter(pk=document_id)
    if check_number is not None:
        scope = scope.filter(checks_done=check_number)
    if not _claim(scope):
        return Outcome(claimed=False)
    document = Document.objects.get(pk=document_id)
    now = timezone.now()
    try:
        stored = {"etag": document.etag, "last_modified": document.last_modified}
        try:
            fetched = _fetch_article(document.url, extract, conditional=stored)
        except _Unfetchable as error:
            updates = {"last_checked_at": now, "last_check_error": _error_text(error.reason)}
            if check_number is not None:
                if error.retry:
                    updates["next_check_at"] = now + timedelta(
                        seconds=backoff_seconds(0, base=RECHECK_RETRY_AFTER.total_seconds(), jitter=0.1)
                    )
                else:
                    updates["next_check_at"], updates["checks_done"] = _next_check_after(document, check_number + 1)
            Document.objects.filter(pk=document_id).update(**updates)
            if error.status in GONE_STATUSES:
                record_availability(
                    document=document, state=DocumentAvailabilityChange.State.REMOVED, http_status=error.status
                )
            return Outcome(error=f"{document.url}: {error.reason}", retry=error.retry)
        moved_to = _moved_to(document, fetched)
        if moved_to:
            # The address now leads to another page (a home page, another story): that page is not a
            # revision of this document. Shown as moved; re-checks go on in case it comes back.
            record_availability(document=document, state=DocumentAvailabilityChange.State.MOVED, location=moved_to)
            fetched = None
        else:  # answered at its address (200 or 304): back, if it was removed or moved
            record_availability(document=document, state=DocumentAvailabilityChange.State.RESTORED)
        revision = None
        if fetched is not None:  # None: 304 Not Modified (or moved), the stored revision is still the page
            # A new revision and its snapshot in one transaction; the snapshot's file is written before.
            with snapshots.preserving(fetched.response) as snapshot, transaction.atomic():
                revision = record_revision(
                    document=document,
                    title=fetched.article.title,
                    text=fetched.article.text,
                    page_language=fetched.article.language,
                )
                if revision is not None:
                    snapshot.attach(revision)
            _keep_validators(document, fetched)
        updates = {"last_checked_at": now, "last_check_error": ""}
        if check_number is not None:
            updates["next_check_at"], updates["checks_done"] = _next_check_after(document, check_number + 1)
        Document.objects.filter(pk=document_id).update(**updates)
        return Outcome(new_revision=revision is not None)
    finally:
        Document.objects.filter(pk=document_id, lease_until__isnull=False).update(lease_until=None)


def _address(url: str) -> str:
    """A URL as an address a page can move away from: scheme, "www." and a trailing slash aside
    (http to https, or adding a slash, is the same page)."""
    parts = urlsplit(canonicalize_url(url))
    host = parts.netloc.removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}?{parts.query}"


def _moved_to(document: Document, fetched: FetchedArticle | None) -> str:
    """Where a re-check was redirected to, when that is another page than the document: neither its
    address nor a page whose canonical link names it. Empty when it was not moved."""
    if fetched is None or fetched.url == document.url:
        return ""
    try:
        own = {_address(document.url), _address(document.canonical_url)}
        if _address(fetched.url) in own:
            return ""
        if fetched.article.canonical_url and _address(fetched.article.canonical_url) in own:
            return ""
    except ValidationError:
        pass
    return fetched.url


# Snapshots on demand ------------------------------------------------------------------------------


def take_requested_snapshot(*, document_id: int, requested_by_id: int | None = None):
    """The worker's half of sources.snapshots.request_snapshot: fetch the document's page as an
    article is fetched and preserve it. Safe to run twice (a request already answered is not fetched
    again). A failure is recorded on the document (`snapshot_error`, shown on its page), never raised."""
    document = Document.objects.filter(pk=document_id, snapshot_requested_at__isnull=False).first()
    if document is None:
        return None
    try:
        response = _fetch_page(document.url)
        with snapshots.preserving(response) as pending, transaction.atomic():
            snapshot = pending.snapshot(document=document, on_demand=True, requested_by_id=requested_by_id)
            Document.objects.filter(pk=document_id).update(
                snapshot_requested_at=None, snapshot_error="", last_snapshot=snapshot
            )
        return snapshot
    except _Unfetchable as error:
        reason = error.reason
    except ValidationError as error:
        reason = "; ".join(error.messages)
    except Exception as error:  # the page must say it failed; the worker goes on
        logger.exception("preserving document %s failed unexpectedly", document_id)
        reason = f"{type(error).__name__}: {error}"
    Document.objects.filter(pk=document_id).update(
        snapshot_requested_at=None,
        snapshot_error=_error_text(_("Could not preserve the page: %(reason)s") % {"reason": reason}),
    )
    return None


# Scheduling --------------------------------------------------------------------------------------


@dataclass
class DueWork:
    feed_ids: list[int]
    entry_ids: list[int]
    rechecks: list[tuple[int, int]]  # (document id, check number)


def take_due_work(*, limit: int = 500) -> DueWork:
    """What the periodic task should queue now. Each due feed is taken with a conditional UPDATE
    that pushes its next_fetch_at past the time a queued poll needs, so two beats never queue it
    twice and a poll lost with its worker is queued again after that time."""
    now = timezone.now()
    grace = 2 * _lease()
    feed_ids = []
    due_feeds = Feed.objects.filter(active=True, next_fetch_at__lte=now).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )
    for feed_id in due_feeds.order_by("next_fetch_at").values_list("id", flat=True)[:limit]:
        if Feed.objects.filter(pk=feed_id, next_fetch_at__lte=now).update(next_fetch_at=now + grace):
            feed_ids.append(feed_id)
    # Entries left pending by a poll whose tasks were lost, or waiting for a retry.
    stale = now - timedelta(seconds=settings.INGEST_STALE_PENDING_SECONDS)
    entry_ids = list(
        FeedEntry.objects.filter(state=FeedEntry.State.PENDING, updated_at__lt=stale)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    FeedEntry.objects.filter(pk__in=entry_ids).update(updated_at=now)
    rechecks = []
    due_documents = Document.objects.filter(next_check_at__lte=now).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )
    for document_id, checks_done in due_documents.order_by("next_check_at").values_list("id", "checks_done")[:limit]:
        if Document.objects.filter(pk=document_id, next_check_at__lte=now).update(next_check_at=now + grace):
            rechecks.append((document_id, checks_done))
    return DueWork(feed_ids=feed_ids, entry_ids=entry_ids, rechecks=rechecks)


class Progress:
    """What ingest_once reports to a progress display; the default shows nothing."""

    def add_total(self, count: int) -> None:
        pass

    def advance(self, description: str) -> None:
        pass


def _safely(work, item_id: int) -> Outcome:
    """Run one unit of work; an unexpected error is logged and counted, never stops the run."""
    try:
        return work(item_id)
    except Exception as error:
        logger.exception("ingestion of %s failed unexpectedly", item_id)
        return Outcome(error=f"{item_id}: unexpected {type(error).__name__}: {error}")


def _run_all(work, item_ids: list[int], on_done, threads: int) -> None:
    """Run work(id) for every id on a few threads: while one thread extracts a page (CPU), others
    wait on the network or the database. Each thread closes its database connection at the end."""
    pending = list(reversed(item_ids))
    lock = threading.Lock()

    def worker():
        try:
            while True:
                with lock:
                    if not pending:
                        return
                    item_id = pending.pop()
                outcome = _safely(work, item_id)
                with lock:
                    on_done(outcome)
        finally:
            db.connection.close()

    if threads <= 1 or len(item_ids) <= 1:
        for item_id in item_ids:
            on_done(_safely(work, item_id))
        return
    workers = [threading.Thread(target=worker, daemon=True) for _ in range(min(threads, len(item_ids)))]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()


class _ExtractionPool:
    """Extraction (CPU-bound, holding the GIL) on other processes, so `ingest --once` uses every
    core as Celery's worker processes do. The processes are forked once, before any worker thread
    starts, from a process whose database connections are closed; they only ever extract."""

    def __init__(self, processes: int):
        db.connections.close_all()
        self.pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"))
        list(self.pool.map(abs, range(processes)))  # fork them all now, while this is one thread

    def extract(self, content: bytes, final_url: str, content_type: str):
        return self.pool.submit(extract_article, content, final_url, content_type).result()

    def close(self):
        self.pool.shutdown(cancel_futures=True)


def ingest_once(
    *, recheck: bool = False, progress: Progress | None = None, threads: int | None = None, processes: int | None = None
) -> IngestSummary:
    """Poll every active feed now, ignoring schedules, fetch every pending entry, and with
    `recheck` re-fetch every known document: the workers' code path, run in this process (articles
    on `threads` threads, extraction on `processes` processes when more than one)."""
    progress = progress or Progress()
    threads = settings.INGEST_THREADS if threads is None else threads
    processes = settings.INGEST_PROCESSES if processes is None else processes
    summary = IngestSummary()
    feed_ids = list(Feed.objects.filter(active=True).order_by("id").values_list("id", flat=True))
    progress.add_total(len(feed_ids))
    entry_ids = []
    for feed_id in feed_ids:
        outcome = _safely(lambda pk: poll_feed(feed_id=pk), feed_id)
        progress.advance(f"feed {feed_id}")
        if not outcome.claimed:
            continue
        summary.feeds_polled += 1
        summary.count(outcome)
        entry_ids.extend(outcome.pending_entry_ids)
    document_ids = list(Document.objects.order_by("id").values_list("id", flat=True)) if recheck else []
    progress.add_total(len(entry_ids) + len(document_ids))

    def done(outcome):
        summary.count(outcome)
        progress.advance("articles")

    # Forking needs the database connections closed, which an enclosing transaction forbids.
    use_pool = processes > 1 and len(entry_ids) + len(document_ids) > 1 and not db.connection.in_atomic_block
    pool = _ExtractionPool(processes) if use_pool else None
    extract = pool.extract if pool else extract_article
    try:
        _run_all(lambda pk: fetch_entry(entry_id=pk, extract=extract), entry_ids, done, threads)
        _run_all(lambda pk: recheck_document(document_id=pk, extract=extract), document_ids, done, threads)
    finally:
        if pool:
            pool.close()
    return summary
