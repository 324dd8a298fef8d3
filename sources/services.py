"""Writes to the sources domain: sources, feeds, documents and their revisions."""

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claimtrack.lib.text import storable_text
from claimtrack.validators import validate_http_url

from . import signals
from .models import Document, DocumentRevision, Source

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
        return existing, False
    source = Source(name=name, kind=kind, **fields)
    source.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:  # created concurrently under another spelling of the same name
        return Source.objects.get(name__iexact=name), False
    return source, True


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
def record_revision(*, document: Document, title: str, text: str, fetched_at=None) -> DocumentRevision | None:
    """Store the content as a new revision only when it differs from the latest one."""
    title, text = storable_text(title), storable_text(text)
    digest = content_sha256(title, text)
    # Lock the document so two workers fetching it at once cannot both append the same change.
    Document.objects.select_for_update().filter(pk=document.pk).first()
    latest_digest = document.revisions.order_by("-fetched_at", "-id").values_list("content_sha256", flat=True).first()
    if latest_digest == digest:
        return None
    revision = DocumentRevision.objects.create(
        document=document,
        title=title.strip(),
        text=text.strip(),
        content_sha256=digest,
        fetched_at=fetched_at or timezone.now(),
    )
    if title.strip() and document.title != title.strip():
        Document.objects.filter(pk=document.pk).update(title=title.strip()[:1000])
    signals.revision_recorded.send(sender=DocumentRevision, revision_id=revision.pk)
    return revision
