"""The editor-facing pages of ingestion: feed health, a document's revisions, adding a feed."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from sources.models import Feed
from sources.services import record_revision
from tests.factories import DocumentFactory, FeedFactory, SourceFactory, make_appearance
from tests.httpserver import LoopbackServer

pytestmark = pytest.mark.django_db

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Kirkuk Now</title><id>urn:x</id>
<updated>2024-11-06T10:00:00Z</updated>
<entry><title>Police withdraw</title><link href="http://127.0.0.1/a"/><id>urn:a</id>
<updated>2024-11-06T10:00:00Z</updated></entry></feed>"""


def test_feed_health_lists_each_feed_state_for_editors(client, editor):
    FeedFactory(url="https://ok.example.org/rss", last_status=Feed.PollStatus.OK, items_seen=12)
    FeedFactory(
        url="https://broken.example.org/rss",
        last_status=Feed.PollStatus.ERROR,
        consecutive_failures=5,
        last_error="not a feed: an HTML page",
        last_fetched_at=timezone.now(),
    )
    client.force_login(editor)

    page = client.get("/sources/feeds/health/").content.decode()

    assert "https://ok.example.org/rss" in page
    assert "not a feed: an HTML page" in page
    assert page.index("broken.example.org") < page.index("ok.example.org")  # unhealthy first
    assert "Unhealthy" in page


def test_feed_health_is_for_editors_only(client, journalist):
    assert client.get("/sources/feeds/health/").status_code == 302
    client.force_login(journalist)
    assert client.get("/sources/feeds/health/").status_code == 403


def test_document_page_shows_a_word_level_diff_between_revisions(client, journalist):
    document = DocumentFactory(title="Police withdraw from Kirkuk")
    record_revision(document=document, title="Police withdraw from Kirkuk", text="Police units withdrew on Friday.")
    record_revision(
        document=document,
        title="Ministry denies Kirkuk withdrawal",
        text="Police units stayed on Friday, officials said.",
    )
    client.force_login(journalist)

    page = client.get(f"/sources/documents/{document.pk}/").content.decode()

    assert "<del>withdrew</del> <ins>stayed</ins>" in page
    assert "<del>Friday.</del> <ins>Friday, officials said.</ins>" in page
    assert "<del>Police withdraw from Kirkuk</del> <ins>Ministry denies Kirkuk withdrawal</ins>" in page
    assert client.get("/sources/documents/999999/").status_code == 404


def test_editor_adds_a_feed_on_the_source_page(client, editor, settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    cache.clear()
    source = SourceFactory(name="Kirkuk Now")
    client.force_login(editor)
    with LoopbackServer() as server:
        url = server.add("/atom.xml", ATOM, content_type="application/atom+xml")
        response = client.post(f"/sources/{source.pk}/feeds/add/", {"url": url})
        not_a_feed = server.add("/page", b"<html><body><p>hello</p></body></html>")
        rejected = client.post(f"/sources/{source.pk}/feeds/add/", {"url": not_a_feed})

    assert response.status_code == 302
    feed = Feed.objects.get(url=url)
    assert (feed.source, feed.kind) == (source, Feed.Kind.ATOM)
    assert rejected.status_code == 400
    assert "not a feed" in rejected.content.decode()
    assert Feed.objects.count() == 1
    assert url in client.get(f"/sources/{source.pk}/").content.decode()


def test_journalist_cannot_add_feeds(client, journalist):
    source = SourceFactory()
    client.force_login(journalist)
    assert client.post(f"/sources/{source.pk}/feeds/add/", {"url": "https://x.example.org/rss"}).status_code == 403
    assert not Feed.objects.exists()


def test_a_rewrite_appears_on_the_claim_timeline_with_a_link_to_the_diff(client, journalist, claim):
    document = DocumentFactory(title="Police withdraw from Kirkuk")
    record_revision(document=document, title="Police withdraw from Kirkuk", text="Police units withdrew.")
    make_appearance(claim=claim, source=document.source, document=document)
    rewrite = record_revision(document=document, title="Ministry denies withdrawal", text="Police units stayed.")
    client.force_login(journalist)

    page = client.get(claim.get_absolute_url()).content.decode()

    assert f'href="/sources/documents/{document.pk}/#revision-{rewrite.pk}"' in page
    assert "Ministry denies withdrawal" in page


def test_feed_health_page_queries_do_not_grow_with_feeds(client, editor, django_assert_max_num_queries):
    client.force_login(editor)
    FeedFactory.create_batch(2)
    with django_assert_max_num_queries(9) as few:  # 8, and the header's unread notifications count
        client.get("/sources/feeds/health/")
    FeedFactory.create_batch(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/sources/feeds/health/")
