"""Writes to the sources domain: sources, feeds, documents and their revisions."""

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import update_recorded
from claimtrack.lib.languages import detect_language, primary_language
from claimtrack.lib.text import storable_text
from claimtrack.validators import validate_country_code, validate_http_url

from . import signals
from .models import Document, DocumentAvailabilityChange, DocumentRevision, Feed, Source, SourceMerge

# Query parameters that identify a campaign or a click, never the document.
TRACKING_PARAMETERS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src", "_ga"}


def canonicalize_url(url: str) -> str:
    """The document's identity: scheme and host lower-cased, no fragment, no tracking parameters,
    default ports dropped, query parameters sorted."""
    url = (url or "").strip()
    validate_http_url(url)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port in (None, 80 if parts.scheme == "http" else 443) else f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMETERS
    ]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(sorted(query)), ""))


def get_or_create_source(*, name: str, kind: str = Source.Kind.NEWS_OUTLET, **fields) -> tuple[Source, bool]:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("A source needs a name.")})
    if kind not in Source.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of source.")})
    existing = Source.objects.filter(name__iexact=name).first()
    if existing:
        return surviving_source(existing), False
    source = Source(name=name, kind=kind, **fields)
    source.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:  # created concurrently under another spelling of the same name
        return surviving_source(Source.objects.get(name__iexact=name)), False
    return source, True


def surviving_source(source: Source) -> Source:
    """The source itself, or the one it was merged into (a merged source keeps its name, so
    looking a name up can find it). Merges never chain (merge_sources refuses a merged survivor),
    so this is at most one query."""
    if source.merged_into_id is None:
        return source
    return Source.objects.get(pk=source.merged_into_id)


# A BCP 47 tag, loosely: a 2–3 letter language, then subtags (script, region, variant): ar, ckb,
# en-GB, sr-Latn, zh-Hant-TW.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


class SourceMerged(ValidationError):
    """The source was merged into another: it is no longer edited nor recorded on."""

    def __init__(self, source: Source):
        self.survivor_id = source.merged_into_id
        super().__init__(
            _("This source was merged into source %(id)s; edit that one.") % {"id": source.merged_into_id},
            code="source_merged",
        )


@transaction.atomic
def update_source(
    *,
    source: Source,
    changed_by,
    name: str,
    homepage: str = "",
    country: str = "",
    language: str = "",
    kind: str | None = None,
) -> Source:
    """Correct a source's name, home page, country and language, and its kind when `kind` is given
    (the caller checked the sources.change_source_kind permission; None keeps the kind). Names
    stay unique whatever their case; a merged source cannot be edited."""
    name = storable_text(name or "").strip()
    homepage = (homepage or "").strip()
    country = (country or "").strip().upper()
    language = (language or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("A source needs a name.")]
    if homepage:
        try:
            validate_http_url(homepage)
        except ValidationError as error:
            errors["homepage"] = error.messages
    try:
        validate_country_code(country)
    except ValidationError as error:
        errors["country"] = error.messages
    if language and not _LANGUAGE_TAG.fullmatch(language):
        errors["language"] = [_("Enter a language tag such as ar, ckb or en-GB.")]
    if kind is not None and kind not in Source.Kind.values:
        errors["kind"] = [_("Unknown kind of source.")]
    taken = Source.objects.filter(name__iexact=name).exclude(pk=source.pk).first() if name else None
    if taken is not None:
        errors["name"] = [name_taken_message(taken)]
    if errors:
        raise ValidationError(errors)
    locked = Source.objects.select_for_update().get(pk=source.pk)
    if locked.merged_into_id is not None:
        raise SourceMerged(locked)
    locked.name, locked.homepage, locked.country, locked.language = name, homepage, country, language
    if kind is not None:
        locked.kind = kind
    locked.full_clean(validate_constraints=False)
    if changed_by is not None:
        locked._history_user = changed_by
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:  # the same name taken at the same moment (source_name_unique_ci)
        raise ValidationError({"name": name_taken_message(Source(name=name))}, code="duplicate") from None
    return locked


def name_taken_message(existing: Source) -> str:
    return _("There is already a source called “%(name)s”.") % {"name": existing.name}


def lock_sources_for_merge(*, absorbed: Source, into: Source) -> tuple[Source, Source]:
    """Both sources locked (in id order, so two merges of the pair cannot deadlock) and read again,
    or a ValidationError saying why they cannot be merged: the same source, a source already
    merged, a survivor already merged (which also rules out any loop: a survivor is never merged,
    so no chain of merges can lead back to the absorbed source). Call inside a transaction."""
    if absorbed.pk == into.pk:
        raise ValidationError({"into": _("A source cannot be merged into itself.")}, code="merge_into_itself")
    locked = {s.pk: s for s in Source.objects.select_for_update().filter(pk__in=[absorbed.pk, into.pk]).order_by("pk")}
    absorbed, into = locked[absorbed.pk], locked[into.pk]
    if absorbed.merged_into_id is not None:
        raise ValidationError(
            _("“%(name)s” was already merged into source %(id)s.")
            % {"name": absorbed.name, "id": absorbed.merged_into_id},
            code="already_merged",
        )
    if into.merged_into_id is not None:
        raise ValidationError(
            {
                "into": _("“%(name)s” was itself merged into source %(id)s: merge into that one.")
                % {"name": into.name, "id": into.merged_into_id}
            },
            code="into_merged",
        )
    return absorbed, into


def absorb_source(
    *, absorbed: Source, into: Source, merged_by, reason: str, moved: dict, submission_key: str | None = None
) -> SourceMerge:
    """The sources' half of a merge (claims.services.merge_sources does the whole, and moves the
    appearances first): the absorbed source's documents and feeds move to the survivor, it points
    to the survivor, and a SourceMerge row records who, why and every id that moved. Nothing is
    deleted. Both sources are locked by lock_sources_for_merge in the caller's transaction."""
    document_ids = list(Document.objects.filter(source=absorbed).order_by("pk").values_list("pk", flat=True))
    feed_ids = list(Feed.objects.filter(source=absorbed).order_by("pk").values_list("pk", flat=True))
    update_recorded(Document, document_ids, values={"source": into}, user=merged_by)
    update_recorded(Feed, feed_ids, values={"source": into}, user=merged_by)
    absorbed.merged_into = into
    absorbed._history_user = merged_by
    absorbed.save(update_fields=["merged_into"])
    return SourceMerge.objects.create(
        absorbed=absorbed,
        into=into,
        merged_by=merged_by,
        reason=reason,
        moved={**moved, "documents": document_ids, "feeds": feed_ids},
        submission_key=submission_key,
    )


def get_or_create_document(
    *,
    url: str,
    source: Source,
    kind: str = Document.Kind.ARTICLE,
    title: str = "",
    canonical_url: str = "",
    **fields,
) -> tuple[Document, bool]:
    """The document for this URL, identified by its canonical URL (the page's own canonical
    address when the caller found one, else the URL's); created if new."""
    try:
        canonical = canonicalize_url(canonical_url or url)
    except ValidationError:
        raise ValidationError({"url": _("Enter a valid http or https address.")}) from None
    existing = Document.objects.filter(canonical_url=canonical).first()
    if existing:
        return existing, False
    # Whoever fetched it, a page's metadata is outside text: made storable here once for all callers.
    fields = {name: storable_text(value) if isinstance(value, str) else value for name, value in fields.items()}
    document = Document(
        url=url.strip(), canonical_url=canonical, source=source, kind=kind, title=storable_text(title), **fields
    )
    document.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # another worker stored it first
        return Document.objects.get(canonical_url=canonical), False
    return document, True


def content_sha256(title: str, text: str) -> str:
    return hashlib.sha256(f"{title.strip()}\n\n{text.strip()}".encode()).hexdigest()


@transaction.atomic
def record_revision(
    *, document: Document, title: str, text: str, fetched_at=None, page_language: str = ""
) -> DocumentRevision | None:
    """Store the content as a new revision only when it differs from the latest one. Its language
    is detected from its title and text (claimtrack.lib.languages), else the one the page declared
    (`page_language`, or the document's), as a primary subtag; a document without a language takes
    its revision's."""
    title, text = storable_text(title), storable_text(text)
    digest = content_sha256(title, text)
    # Lock the document so two workers fetching it at once cannot both append the same change.
    Document.objects.select_for_update().filter(pk=document.pk).first()
    latest_digest = document.revisions.order_by("-fetched_at", "-id").values_list("content_sha256", flat=True).first()
    if latest_digest == digest:
        return None
    language = (
        detect_language(f"{title.strip()}\n{text.strip()}")
        or primary_language(page_language)
        or primary_language(document.language)
    )
    revision = DocumentRevision.objects.create(
        document=document,
        title=title.strip(),
        text=text.strip(),
        content_sha256=digest,
        fetched_at=fetched_at or timezone.now(),
        language=language,
    )
    if title.strip() and document.title != title.strip():
        Document.objects.filter(pk=document.pk).update(title=title.strip()[:1000])
    if language and not document.language:
        Document.objects.filter(pk=document.pk, language="").update(language=language)
        document.language = language
    signals.revision_recorded.send(sender=DocumentRevision, revision_id=revision.pk)
    return revision


@transaction.atomic
def record_availability(*, document: Document, state: str, http_status: int | None = None, location: str = ""):
    """Record that a re-check found the document's page removed, moved, or back: a row only when
    the state changes (a page that stays removed is one event), and "back" only after one of the
    other two. Returns the new row, or None."""

    def unchanged() -> bool:
        latest = document.availability_changes.order_by("-checked_at", "-id").first()
        if state == DocumentAvailabilityChange.State.RESTORED:
            return latest is None or latest.state == state
        return latest is not None and latest.state == state and latest.location == location

    # Every successful re-check asks for "back": most documents were never removed, so that is
    # answered without a lock; a change is decided again under the document's lock.
    if unchanged():
        return None
    Document.objects.select_for_update().filter(pk=document.pk).first()
    if unchanged():
        return None
    change = DocumentAvailabilityChange.objects.create(
        document=document, state=state, http_status=http_status, location=storable_text(location)[:2000]
    )
    signals.availability_changed.send(sender=DocumentAvailabilityChange, change_id=change.pk)
    return change
