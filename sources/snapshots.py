"""Preserved snapshots: the HTTP response of a fetched page, kept as a WARC record.

Every document revision ingestion records (sources.ingestion: fetch_entry, recheck_document) is
stored with the response it was extracted from, and a journalist can ask for a page to be preserved
now (`request_snapshot`; the worker's `take_requested_snapshot` fetches it, robots.txt and
politeness as ingestion). A snapshot is one gzipped WARC/1.0 file in the default storage
(`snapshots/<ab>/<payload sha256>.warc.gz`) holding one `response` record written by warcio: the
status line, the response headers in the server's order and case, and the body, with
WARC-Target-URI (the address after redirects) and WARC-Date (when it was fetched).

The body is the one claimtrack read: claimtrack.outbound inflates gzip/deflate bodies under its
size cap, so a Content-Encoding, Transfer-Encoding or Content-Length header the server sent is kept
as `X-Archive-Orig-<name>` and Content-Length states the stored body's length, the way web
archives record a decoded body (WARC readers would otherwise try to inflate it again).

Snapshots are deduplicated by the body's SHA-256 per document (`Snapshot.payload_sha256`, unique
with the document): the same body fetched again for the document reuses the row. Another document
serving the same bytes (a paywall, a consent page) gets a record of its own, with its own address. The file is written before the transaction
that records the row (`preserving`), and removed again when that transaction fails or the row is
not needed, so no row ever names a missing file.

Viewing never serves the page as it was: `body_text` (the body as text, for text/plain) and
`sanitised_html` (the body cleaned by nh3: no scripts, styles, frames, forms, event attributes,
links or image sources; served sandboxed under a CSP that loads nothing, see sources.views).
"""

import codecs
import hashlib
import io
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, timedelta
from http import HTTPStatus
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from claimtrack.lib.text import storable_text
from outbox.services import enqueue_on_commit

from .models import Document, DocumentRevision, Snapshot

logger = logging.getLogger(__name__)

ARTICLE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
# Headers describing the bytes on the wire rather than the body stored: kept under another name.
WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
# The most of a snapshot's body a view reads (bodies are capped at FETCH_MAX_BYTES when fetched;
# an archive could bring larger ones).
VIEW_MAX_BYTES = 20 * 1024 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/", "application/xml", "application/json", "application/rss+xml", "application/atom+xml")


# Writing -----------------------------------------------------------------------------------------


def _checked(response) -> None:
    """A clear ValidationError for a response that cannot be preserved; nothing is stored then."""
    if not isinstance(getattr(response, "content", None), bytes):
        raise ValidationError(_("The response has no body to preserve."))
    status = getattr(response, "status_code", None)
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise ValidationError(_("The response has no valid HTTP status: %(status)r.") % {"status": status})
    url = getattr(response, "url", "")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or len(url) > 2000:
        raise ValidationError(_("The response's address is not an http or https URL of at most 2,000 characters."))


def _http_headers(response) -> StatusAndHeaders:
    headers = []
    raw = getattr(response.headers, "raw", None)
    pairs = raw if raw is not None else list(response.headers.items())
    for name, value in pairs:
        name = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        value = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        # A header line never holds a line break (a WARC reader would split the record there).
        name, value = re.sub(r"[\r\n:]", "", name).strip(), re.sub(r"[\r\n]", " ", value)
        if not name:
            continue
        if name.lower() in WIRE_HEADERS:
            name = f"X-Archive-Orig-{name}"
        headers.append((name, value))
    headers.append(("Content-Length", str(len(response.content))))
    status = response.status_code
    try:
        reason = response.reason_phrase or HTTPStatus(status).phrase
    except (AttributeError, ValueError):
        reason = ""
    protocol = getattr(response, "http_version", "") or "HTTP/1.1"
    return StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol=protocol)


def warc_record_for(response, *, fetched_at=None) -> bytes:
    """One gzipped WARC `response` record of a claimtrack.outbound response (status_code, headers,
    content, url), dated fetched_at (now by default)."""
    _checked(response)
    fetched_at = fetched_at or timezone.now()
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="1.0")
    record = writer.create_warc_record(
        response.url,
        "response",
        payload=io.BytesIO(response.content),
        length=len(response.content),
        http_headers=_http_headers(response),
        warc_headers_dict={"WARC-Date": datetime_to_iso_date(fetched_at.astimezone(UTC))},
    )
    writer.write_record(record)
    return buffer.getvalue()


def payload_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class PendingSnapshot:
    """A response about to be preserved (see `preserving`): its WARC file is written already unless
    a snapshot of the same body exists."""

    def __init__(self, response, *, fetched_at=None):
        _checked(response)
        self.response = response
        self.fetched_at = fetched_at or timezone.now()
        self.payload_sha256 = payload_sha256(response.content)
        self.name = None  # of the file this wrote, if any
        self.sha256 = ""
        self.size = 0
        self.used = False  # a row created here names the file

    def write_file(self) -> None:
        record = warc_record_for(self.response, fetched_at=self.fetched_at)
        self.sha256, self.size = hashlib.sha256(record).hexdigest(), len(record)
        digest = self.payload_sha256
        self.name = default_storage.save(f"snapshots/{digest[:2]}/{digest}.warc.gz", ContentFile(record))

    def snapshot(self, *, document: Document, on_demand: bool = False, requested_by_id=None) -> Snapshot:
        """The snapshot of this body: the existing row, or a new one naming the written file. Call
        inside the transaction that records what refers to it."""
        existing = Snapshot.objects.filter(document=document, payload_sha256=self.payload_sha256).first()
        if existing is not None:
            return existing
        if self.name is None:
            self.write_file()
        try:
            with transaction.atomic():
                snapshot = Snapshot.objects.create(
                    file=self.name,
                    sha256=self.sha256,
                    payload_sha256=self.payload_sha256,
                    size=self.size,
                    url=self.response.url,
                    status=self.response.status_code,
                    content_type=storable_text(self.response.headers.get("content-type", ""))[:200],
                    fetched_at=self.fetched_at,
                    document=document,
                    on_demand=on_demand,
                    requested_by_id=requested_by_id,
                )
        except IntegrityError:  # the same body stored at the same moment by another worker
            return Snapshot.objects.get(document=document, payload_sha256=self.payload_sha256)
        self.used = True
        return snapshot

    def attach(self, revision: DocumentRevision) -> Snapshot:
        """Preserve the response as the snapshot of this (new) revision, in its transaction."""
        snapshot = self.snapshot(document=revision.document)
        DocumentRevision.objects.filter(pk=revision.pk).update(snapshot=snapshot)
        revision.snapshot = snapshot
        return snapshot


class _NothingToPreserve:
    def attach(self, revision):
        return None


@contextmanager
def preserving(response, *, fetched_at=None):
    """Write the response's WARC file now (outside any transaction, unless its body is preserved
    already) and yield a PendingSnapshot whose `attach(revision)` / `snapshot(...)` records the row
    in the caller's transaction, which must be inside this block:

        with snapshots.preserving(response) as pending, transaction.atomic():
            revision = record_revision(...)
            if revision is not None:
                pending.attach(revision)

    The file is removed again when the block fails or no row came to name it. A response that
    cannot be preserved raises ValidationError before anything is written; None preserves nothing."""
    if response is None:
        yield _NothingToPreserve()
        return
    pending = PendingSnapshot(response, fetched_at=fetched_at)
    # The document may not exist yet (a first fetch creates it in the transaction): the file is
    # written now and removed below if an existing snapshot of the same body served instead.
    pending.write_file()
    try:
        yield pending
    except BaseException:
        pending.used = False  # the transaction that created the row was rolled back with it
        raise
    finally:
        if pending.name and not pending.used:
            try:
                default_storage.delete(pending.name)
            except OSError:
                logger.warning("could not remove the unused snapshot file %s", pending.name)


def store_snapshot(*, response, document: Document, on_demand: bool = False, requested_by=None) -> Snapshot:
    """Preserve a response for a document: the existing snapshot of the same body, or a new one."""
    with preserving(response) as pending, transaction.atomic():
        return pending.snapshot(
            document=document, on_demand=on_demand, requested_by_id=getattr(requested_by, "pk", None)
        )


# On demand ---------------------------------------------------------------------------------------


def _request_lease() -> timedelta:
    return timedelta(seconds=settings.INGEST_LEASE_SECONDS)


def request_snapshot(*, document: Document, requested_by) -> bool:
    """A journalist asks for the document's page to be preserved now: the worker fetches it
    (tasks.take_snapshot → ingestion.take_requested_snapshot). False when a request is pending already (the page says so); a request
    whose worker was lost longer than the ingestion lease ago may be made again."""
    from . import tasks  # tasks import ingestion, which imports this module

    now = timezone.now()
    with transaction.atomic():
        taken = (
            Document.objects.filter(pk=document.pk)
            .exclude(snapshot_requested_at__gt=now - _request_lease())
            .update(snapshot_requested_at=now, snapshot_error="")
        )
        if taken:
            enqueue_on_commit(tasks.take_snapshot, document.pk, getattr(requested_by, "pk", None))
    return bool(taken)


# Reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreservedResponse:
    status_line: str
    headers: list[tuple[str, str]]
    body: bytes
    truncated: bool

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key.lower() == name.lower()), "")

    @property
    def content_type(self) -> str:
        return self.header("content-type").split(";")[0].strip().lower()

    @property
    def is_html(self) -> bool:
        return self.content_type in HTML_TYPES

    @property
    def is_text(self) -> bool:
        # No stated type: shown as text, which is inert whatever the bytes are.
        kind = self.content_type
        return not kind or self.is_html or kind.startswith(TEXT_TYPES) or kind.endswith(("+xml", "+json"))


class UnreadableSnapshot(Exception):
    pass


def read_response(snapshot: Snapshot, *, max_bytes: int = VIEW_MAX_BYTES) -> PreservedResponse:
    """The HTTP response stored in the snapshot's WARC file (its body up to max_bytes)."""
    try:
        with default_storage.open(snapshot.file.name, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                body = record.content_stream().read(max_bytes + 1)
                http = record.http_headers
                return PreservedResponse(
                    status_line=f"{http.protocol} {http.statusline}".strip(),
                    headers=list(http.headers),
                    body=body[:max_bytes],
                    truncated=len(body) > max_bytes,
                )
    except (OSError, ArchiveLoadFailed, ValueError) as error:
        raise UnreadableSnapshot(str(error)) from None
    raise UnreadableSnapshot(_("the WARC file holds no response record"))


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.IGNORECASE)


def _codec(name: str) -> str | None:
    """A text codec by that name, or None (unknown, or not a text encoding such as base64)."""
    try:
        info = codecs.lookup(name.strip())
    except (LookupError, ValueError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def charset_of(preserved: PreservedResponse) -> str:
    """The body's character set: a byte order mark, the Content-Type's charset, an HTML meta
    charset in the first 2 KB, else UTF-8. Always a text codec Python knows."""
    body = preserved.body
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return name
    _type, params = parse_header_parameters(preserved.header("content-type") or "text/plain")
    declared = _codec(params.get("charset", "")) if params.get("charset") else None
    if declared is None and preserved.is_html:
        match = _META_CHARSET.search(body[:2048])
        declared = _codec(match.group(1).decode("ascii")) if match else None
    return declared or "utf-8"


def body_text(preserved: PreservedResponse) -> str:
    """The body as text (undecodable bytes replaced), for a text/plain view."""
    return preserved.body.decode(charset_of(preserved), errors="replace")


# No active content, nothing that loads or leads anywhere: link targets, image sources and quote
# citations are dropped (the text stays); scripts, styles, frames, embedded objects and form fields
# go with their contents (a form's own tag goes, its text stays: some sites wrap the whole page in one).
SANITISED_TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map"}
DROPPED_ATTRIBUTES = {"href", "src", "srcset", "cite", "longdesc", "background", "poster", "usemap"}
SANITISED_ATTRIBUTES = {
    tag: set(names) - DROPPED_ATTRIBUTES for tag, names in nh3.ALLOWED_ATTRIBUTES.items() if tag in SANITISED_TAGS
}
CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript"}
CLEAN_CONTENT_TAGS |= {"template", "select", "textarea", "svg", "math", "head", "title"}


def sanitised_html(preserved: PreservedResponse) -> str:
    """The body as a complete, inert HTML page: cleaned by nh3 (see SANITISED_TAGS above)."""
    cleaned = nh3.clean(
        body_text(preserved),
        tags=SANITISED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=SANITISED_ATTRIBUTES,
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        url_schemes=set(),
    )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>snapshot</title></head>\n'
        f"<body>{cleaned}</body></html>\n"
    )
