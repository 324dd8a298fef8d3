"""A poll of a huge feed stores and queues a bounded number of new entries, newest first, and the
feed stays healthy; older new items are taken by the next polls."""

import pytest
from django.core.cache import cache

from sources import ingestion
from sources.models import Feed, FeedEntry
from tests.factories import FeedFactory
from tests.httpserver import LoopbackServer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fetch_settings(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    settings.FETCH_MAX_BYTES = 20 * 1024 * 1024
    cache.clear()


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def sitemap(urls) -> bytes:
    # A sitemap rather than RSS: lxml reads 100,000 items in well under a second, feedparser does not.
    locations = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return (
        f'<?xml version="1.0" encoding="utf-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locations}</urlset>'
    ).encode()


def dated_rss(items) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{url}</link><pubDate>{date}</pubDate></item>" for url, title, date in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>http://127.0.0.1/</link><description>d</description>{entries}</channel></rss>"
    ).encode()


def test_a_100000_item_feed_queues_a_bounded_number_of_entries_and_stays_healthy(server, settings):
    urls = [server.url(f"/a/{number}") for number in range(100_000)]
    feed = FeedFactory(url=server.add("/sitemap.xml", sitemap(urls)))
    limit = settings.FEED_MAX_NEW_ENTRIES_PER_POLL

    outcome = ingestion.poll_feed(feed_id=feed.pk)

    assert len(outcome.pending_entry_ids) == limit
    assert sorted(FeedEntry.objects.values_list("url", flat=True)) == sorted(urls[:limit])
    assert outcome.error == ""
    feed.refresh_from_db()
    assert feed.last_status == Feed.PollStatus.OK
    assert feed.consecutive_failures == 0 and feed.is_healthy
    assert "lists 100000 items" in feed.last_error and "wait for the next polls" in feed.last_error


def test_the_next_poll_takes_the_next_newest_items(server, settings):
    settings.FEED_MAX_NEW_ENTRIES_PER_POLL = 2
    items = [
        (server.url("/old"), "Old", "Mon, 04 Nov 2024 10:00:00 GMT"),
        (server.url("/newest"), "Newest", "Wed, 06 Nov 2024 10:00:00 GMT"),
        (server.url("/oldest"), "Oldest", "Sun, 03 Nov 2024 10:00:00 GMT"),
        (server.url("/new"), "New", "Tue, 05 Nov 2024 10:00:00 GMT"),
    ]
    feed = FeedFactory(url=server.add("/feed.xml", dated_rss(items)))

    first = ingestion.poll_feed(feed_id=feed.pk)
    assert set(FeedEntry.objects.values_list("title", flat=True)) == {"Newest", "New"}
    FeedEntry.objects.update(state=FeedEntry.State.DONE)
    Feed.objects.filter(pk=feed.pk).update(etag="", last_modified="")
    second = ingestion.poll_feed(feed_id=feed.pk)

    assert len(first.pending_entry_ids) == 2 and len(second.pending_entry_ids) == 2
    assert set(FeedEntry.objects.filter(pk__in=second.pending_entry_ids).values_list("title", flat=True)) == {
        "Old",
        "Oldest",
    }
    third = ingestion.poll_feed(feed_id=feed.pk)
    assert FeedEntry.objects.count() == 4
    assert third.error == ""
