"""The claim's bundle: one gzipped WARC file, read back here with warcio as any WARC tool reads it."""

import hashlib
import io
import json

import pytest
from django.urls import reverse
from warcio.archiveiterator import ArchiveIterator

from claims import bundle, services
from sources import ingestion
from sources.models import Document, Snapshot
from tests import factories
from tests.httpserver import LoopbackServer
from tests.web_pages import PARAGRAPHS, article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fetch_settings(settings, tmp_path):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    settings.FETCH_TIMEOUT = 10
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def read_bundle(data: bytes) -> list[dict]:
    """Every record, its WARC digests checked as `warcio check` does."""
    records = []
    for record in ArchiveIterator(io.BytesIO(data), check_digests=True):
        content = record.content_stream().read()
        assert record.digest_checker.passed is not False, record.digest_checker.problems
        records.append(
            {
                "type": record.rec_type,
                "uri": record.rec_headers.get_header("WARC-Target-URI") or "",
                "content_type": record.rec_headers.get_header("Content-Type"),
                "status": record.http_headers.get_statuscode() if record.http_headers else None,
                "content": content,
                "digest_checked": record.digest_checker.passed,
            }
        )
    return records


@pytest.fixture
def claim_with_record(server, journalist, editor):
    """A claim citing a document fetched three times (three revisions), one page preserved on
    demand, evidence, and a verdict."""
    versions = [
        article("Police withdraw from Kirkuk", PARAGRAPHS),
        article("Ministry denies Kirkuk withdrawal", PARAGRAPHS),
        article("Ministry denies Kirkuk withdrawal", PARAGRAPHS[:2]),
    ]
    url = server.add("/a", versions[0])
    entry = factories.FeedEntryFactory(url=url)
    ingestion.fetch_entry(entry_id=entry.pk)
    document = Document.objects.get()
    for version in versions[1:]:
        server.add("/a", version)
        assert ingestion.recheck_document(document_id=document.pk).new_revision
    other = factories.DocumentFactory(source=document.source)
    factories.make_snapshot(document=other, body=b"<p>The ministry's statement, preserved by hand.</p>")
    claim = factories.make_claim(created_by=journalist)
    factories.make_appearance(claim=claim, source=document.source, document=document, recorded_by=journalist)
    factories.make_appearance(claim=claim, source=document.source, document=other, recorded_by=journalist)
    evidence = factories.make_evidence(claim=claim, uploaded_by=journalist, caption="Screenshot")
    services.publish_verdict(claim=claim, rating_name="False", author=editor, summary="No withdrawal.")
    # Not the claim's: never in its bundle.
    factories.make_snapshot(body=b"<p>Another claim's page</p>")
    return {"claim": claim, "document": document, "other": other, "versions": versions, "evidence": evidence}


def test_the_bundle_opens_with_a_standard_reader_and_holds_every_revisions_response(as_editor, claim_with_record):
    claim, document = claim_with_record["claim"], claim_with_record["document"]

    response = as_editor.get(reverse("claims:bundle", args=[claim.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="claim-{claim.pk}-bundle.warc.gz"'
    records = read_bundle(b"".join(response.streaming_content))
    assert records[0]["type"] == "warcinfo"
    assert all(r["digest_checked"] for r in records if r["type"] in ("response", "resource"))
    responses = [r for r in records if r["type"] == "response"]
    revision_bodies = {r.snapshot.payload_sha256 for r in document.revisions.all()}
    assert len(revision_bodies) == 3
    # Every revision's response, with the body as the server sent it, and the on-demand snapshot.
    assert [r["content"] for r in responses if r["uri"] == document.url] == claim_with_record["versions"]
    assert all(r["status"] == "200" for r in responses)
    assert b"<p>The ministry's statement, preserved by hand.</p>" in [r["content"] for r in responses]
    assert b"<p>Another claim's page</p>" not in [r["content"] for r in responses]
    assert len(responses) == 4

    [review] = [r for r in records if r["uri"].endswith(":claimreview.jsonld")]
    assert review["type"] == "resource" and review["content_type"] == "application/ld+json"
    review_data = json.loads(review["content"])
    assert review_data["@type"] == "ClaimReview" and review_data["reviewRating"]["alternateName"] == "False"
    [evidence] = [r for r in records if ":evidence:" in r["uri"]]
    assert evidence["content"] == factories.PNG_BYTES and evidence["content_type"] == "image/png"

    manifest_record = records[-1]
    assert manifest_record["uri"] == f"urn:claimtrack:claim:{claim.pk}:manifest.json"
    manifest = json.loads(manifest_record["content"])
    listed = manifest["records"]
    assert len(listed) == len(records) - 2  # all but the warcinfo and the manifest itself
    for entry, record in zip(listed, records[1:-1], strict=True):
        assert entry["uri"] == record["uri"] and entry["type"] == record["type"]
        assert entry["sha256"] == hashlib.sha256(record["content"]).hexdigest()
    stored = {s.sha256 for s in Snapshot.objects.all()}
    assert {e["warc_file_sha256"] for e in listed if e["type"] == "response"} <= stored


def test_a_claim_without_a_verdict_has_no_claimreview_record(as_editor, journalist):
    claim = factories.make_claim(created_by=journalist)
    document = factories.DocumentFactory()
    factories.make_snapshot(document=document, body=b"<p>Only page</p>")
    factories.make_appearance(claim=claim, source=document.source, document=document, recorded_by=journalist)

    records = read_bundle(b"".join(as_editor.get(reverse("claims:bundle", args=[claim.pk])).streaming_content))

    assert [r["type"] for r in records] == ["warcinfo", "response", "resource"]
    assert not any(r["uri"].endswith("claimreview.jsonld") for r in records)


def test_a_journalist_who_may_not_rule_cannot_download_the_bundle(as_journalist, claim_with_record):
    claim = claim_with_record["claim"]
    assert as_journalist.get(reverse("claims:bundle", args=[claim.pk])).status_code == 403
    page = as_journalist.get(claim.get_absolute_url()).content.decode()
    assert reverse("claims:bundle", args=[claim.pk]) not in page


def test_the_claim_page_links_the_bundle_for_editors(as_editor, claim):
    assert reverse("claims:bundle", args=[claim.pk]) in as_editor.get(claim.get_absolute_url()).content.decode()


def test_a_damaged_snapshot_file_refuses_the_bundle_with_a_clear_error(as_editor, claim_with_record):
    claim, document = claim_with_record["claim"], claim_with_record["document"]
    snapshot = document.revisions.first().snapshot
    with open(snapshot.file.path, "r+b") as stored:
        stored.seek(40)
        stored.write(b"\x00\x00\x00")

    with pytest.raises(bundle.BundleRefused, match="does not match its SHA-256"):
        bundle.build_bundle(claim=claim, claim_url="https://example.org/claims/1/")
    response = as_editor.get(reverse("claims:bundle", args=[claim.pk]), follow=True)
    assert "The bundle cannot be made" in response.content.decode()


def test_a_bundle_over_its_bound_is_refused(claim_with_record, monkeypatch):
    monkeypatch.setattr(bundle, "BUNDLE_MAX_BYTES", 10)
    with pytest.raises(bundle.BundleRefused, match="larger than"):
        bundle.build_bundle(claim=claim_with_record["claim"], claim_url="https://example.org/claims/1/")
