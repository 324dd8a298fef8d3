"""A claim's bundle: what its record rests on, as ONE gzipped WARC file that standard WARC tools
read (warcio, pywb, wget's, the Internet Archive's), for editors (`claims.views.claim_bundle`).

Records, in order:
- `warcinfo`: what the file is (claimtrack, the claim, when it was made);
- one `response` record per preserved snapshot (sources.models.Snapshot) of every document the
  claim's accepted, unretracted appearances cite: the snapshots of the documents' revisions and
  those journalists asked for. Each is the stored WARC record copied byte for byte (gzip members
  concatenate), its file's SHA-256 checked on the way;
- a `resource` record with the claim's ClaimReview JSON-LD (claims.claimreview's one builder),
  when the claim has a verdict;
- one `resource` record per unretracted evidence file (claims.Evidence), its bytes from storage,
  their SHA-256 checked against the one recorded at upload;
- last, a `resource` record `manifest.json`: every record above with its URI, type, content type,
  size and the SHA-256 of its content (of a response: of the HTTP body, and of the stored WARC
  file it came from).

Built in a temporary file (never in memory), bounded by BUNDLE_MAX_BYTES of snapshot and
evidence files and BUNDLE_MAX_RECORDS records: a larger bundle is refused with a clear error
rather than cut short. A damaged stored file refuses the bundle too; nothing is written anywhere
but the temporary file, which is removed when the download ends or the build fails.
"""

import hashlib
import io
import json
import tempfile
from datetime import UTC

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from sources.models import Snapshot

from . import selectors
from .claimreview import CLAIMREVIEW_APPEARANCES, claimreview_jsonld
from .models import Appearance, Claim, Evidence

BUNDLE_MAX_BYTES = 512 * 1024 * 1024
BUNDLE_MAX_RECORDS = 2_000
COPY_CHUNK = 1 << 20


class BundleRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def bundle_snapshots(claim: Claim):
    """The snapshots of every document the claim's accepted, unretracted appearances cite."""
    documents = Appearance.objects.filter(
        claim=claim,
        review_state=Appearance.ReviewState.ACCEPTED,
        retracted_at__isnull=True,
        document__isnull=False,
    ).values("document_id")
    return (
        Snapshot.objects.filter(Q(revisions__document_id__in=documents) | Q(document_id__in=documents))
        .distinct()
        .order_by("fetched_at", "id")
    )


def bundle_evidence(claim: Claim):
    return Evidence.objects.filter(claim=claim, retracted_at__isnull=True).order_by("uploaded_at", "id")


def _urn(claim: Claim, name: str) -> str:
    return f"urn:claimtrack:claim:{claim.pk}:{name}"


def _warc_date(moment) -> str:
    return datetime_to_iso_date(moment.astimezone(UTC))


def _copy_checked(name: str, expected_sha256: str, out) -> None:
    """Copy a stored file into the bundle, refusing it when its bytes are not the recorded ones."""
    digest = hashlib.sha256()
    start = out.tell()
    with default_storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(COPY_CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != expected_sha256:
        out.seek(start)
        out.truncate()
        raise BundleRefused(_("The stored file %(name)s does not match its SHA-256: it is damaged.") % {"name": name})


def _resource(writer: WARCWriter, uri: str, content: bytes, content_type: str, when) -> None:
    record = writer.create_warc_record(
        uri,
        "resource",
        payload=io.BytesIO(content),
        length=len(content),
        warc_content_type=content_type,
        warc_headers_dict={"WARC-Date": _warc_date(when)},
    )
    writer.write_record(record)


def build_bundle(*, claim: Claim, claim_url: str):
    """The claim's bundle as an open temporary file positioned at its start (the caller closes
    it). Raises BundleRefused, with nothing kept, when it would be too large or a file is damaged."""
    snapshots = list(bundle_snapshots(claim)[: BUNDLE_MAX_RECORDS + 1])
    evidence = list(bundle_evidence(claim)[: BUNDLE_MAX_RECORDS + 1])
    if len(snapshots) + len(evidence) > BUNDLE_MAX_RECORDS:
        raise BundleRefused(
            _("The claim's bundle would hold more than %(limit)s records.") % {"limit": BUNDLE_MAX_RECORDS}
        )
    total = sum(s.size for s in snapshots) + sum(e.size for e in evidence)
    if total > BUNDLE_MAX_BYTES:
        raise BundleRefused(
            _("The claim's bundle would be larger than %(limit)s MB.") % {"limit": BUNDLE_MAX_BYTES // 1_048_576}
        )
    now = timezone.now()
    out = tempfile.TemporaryFile()  # noqa: SIM115 - returned open: the download closes it
    try:
        writer = WARCWriter(out, gzip=True, warc_version="1.0")
        writer.write_record(
            writer.create_warcinfo_record(
                f"claim-{claim.pk}-bundle.warc.gz",
                {
                    "software": "claimtrack",
                    "format": "WARC File Format 1.0",
                    "description": f"The record of claim {claim.pk}: preserved pages, ClaimReview, evidence.",
                    "isPartOf": claim_url,
                    "operator": settings.CLAIMTRACK_ORGANISATION.get("name", ""),
                },
            )
        )
        manifest = []
        for snapshot in snapshots:
            _copy_checked(snapshot.file.name, snapshot.sha256, out)
            manifest.append(
                {
                    "type": "response",
                    "uri": snapshot.url,
                    "date": _warc_date(snapshot.fetched_at),
                    "content_type": snapshot.content_type,
                    "sha256": snapshot.payload_sha256,
                    "warc_file_sha256": snapshot.sha256,
                    "warc_file_size": snapshot.size,
                }
            )
        verdict = selectors.current_verdict(claim)
        if verdict is not None:
            review = claimreview_jsonld(
                claim=claim,
                verdict=verdict,
                appearances=selectors.claimreview_appearances(claim, CLAIMREVIEW_APPEARANCES),
                claim_url=claim_url,
            )
            content = json.dumps(review, indent=2, ensure_ascii=False, sort_keys=True).encode() + b"\n"
            uri = _urn(claim, "claimreview.jsonld")
            _resource(writer, uri, content, "application/ld+json", verdict.published_at)
            manifest.append(_entry("resource", uri, "application/ld+json", content))
        for item in evidence:
            with default_storage.open(item.file.name, "rb") as stored:
                content = stored.read(BUNDLE_MAX_BYTES + 1)
            if hashlib.sha256(content).hexdigest() != item.sha256:
                raise BundleRefused(
                    _("Evidence file %(id)s does not match its SHA-256: it is damaged.") % {"id": item.pk}
                )
            uri = _urn(claim, f"evidence:{item.pk}:{item.sha256}")
            _resource(writer, uri, content, item.content_type, item.uploaded_at)
            manifest.append({**_entry("resource", uri, item.content_type, content), "caption": item.caption})
        listing = {
            "claim": claim.pk,
            "claim_url": claim_url,
            "created_at": _warc_date(now),
            "records": manifest,
        }
        content = json.dumps(listing, indent=2, ensure_ascii=False).encode() + b"\n"
        _resource(writer, _urn(claim, "manifest.json"), content, "application/json", now)
        out.seek(0)
        return out
    except BaseException:
        out.close()
        raise


def _entry(kind: str, uri: str, content_type: str, content: bytes) -> dict:
    return {
        "type": kind,
        "uri": uri,
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
