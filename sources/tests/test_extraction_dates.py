"""Dates read from other people's data: a feed's or an article's date outside claimtrack.lib.dates'
range is dropped and the item kept (issue 14, class 1)."""

from datetime import UTC, datetime

import pytest

from sources.extraction import parse_feed


def rss_dated(pub_date: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        "<link>https://news.example.org/</link><description>d</description>"
        f"<item><title>Item</title><link>https://news.example.org/a</link><pubDate>{pub_date}</pubDate></item>"
        "</channel></rss>"
    ).encode()


def atom_dated(updated: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        f'<entry><title>Item</title><link href="https://news.example.org/a"/><updated>{updated}</updated></entry>'
        "</feed>"
    ).encode()


@pytest.mark.parametrize(
    "feed",
    [
        rss_dated("Fri, 31 Dec 9999 23:00:00 GMT"),
        rss_dated("Mon, 01 Jan 0001 00:00:00 GMT"),
        rss_dated("Sat, 01 Jan 2300 00:00:00 GMT"),
        atom_dated("9999-12-31T23:59:59Z"),
        atom_dated("1850-06-01T00:00:00Z"),
    ],
    ids=["rss-9999", "rss-year-1", "rss-2300", "atom-9999", "atom-1850"],
)
def test_a_feed_items_date_out_of_range_is_dropped_and_the_item_kept(feed):
    [item] = parse_feed(feed).items
    assert item.url == "https://news.example.org/a"
    assert item.published_at is None


def test_a_feed_items_ordinary_date_is_kept_in_utc():
    [item] = parse_feed(rss_dated("Wed, 06 Nov 2024 13:00:00 +0300")).items
    assert item.published_at == datetime(2024, 11, 6, 10, 0, tzinfo=UTC)
