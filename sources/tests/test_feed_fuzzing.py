"""Fuzzing feed parsing (sources/extraction.py): whatever bytes a feed URL returns, parse_feed either
returns what it could read or raises NotAFeed, its documented error; it never raises anything
else. Inputs: arbitrary bytes, mutated copies of the real feeds in the shared data (feeds/), and
generated feeds whose items must all come back."""

from datetime import datetime
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.extraction import NotAFeed, ParsedFeed, parse_feed
from sources.models import Feed
from tests.shared_data import shared_data

CONTENT_TYPES = ["", "application/rss+xml", "application/atom+xml", "text/xml", "text/html", "application/octet-stream"]
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None)


def parse_or_refuse(content: bytes, content_type: str) -> ParsedFeed | None:
    """parse_feed's result, or None when it raised its documented NotAFeed; any other exception
    fails the test."""
    try:
        parsed = parse_feed(content, content_type)
    except NotAFeed as refusal:
        assert str(refusal), "NotAFeed must say why"
        return None
    assert parsed.kind in Feed.Kind.values
    urls = [item.url for item in parsed.items]
    assert len(urls) == len(set(urls)), "an item is listed once"
    for item in parsed.items:
        assert item.url and item.url == item.url.strip()
        assert len(item.title) <= 1000  # fits Document.title
        assert item.published_at is None or (isinstance(item.published_at, datetime) and item.published_at.tzinfo)
    return parsed


@FUZZ
@given(content=st.binary(max_size=4096), content_type=st.sampled_from(CONTENT_TYPES))
def test_arbitrary_bytes_give_items_or_not_a_feed(content, content_type):
    parse_or_refuse(content, content_type)


@FUZZ
@given(
    prefix=st.sampled_from([b"", b"<?xml version='1.0'?>", b"<rss version='2.0'><channel>", b"<urlset>", b"<feed>"]),
    body=st.binary(max_size=2048),
)
def test_garbage_behind_a_feed_like_start_gives_items_or_not_a_feed(prefix, body):
    parse_or_refuse(prefix + body, "application/xml")


@pytest.fixture(scope="module")
def real_feeds() -> list[bytes]:
    files = sorted(path for path in shared_data("feeds").rglob("*") if path.is_file())
    assert files
    return [path.read_bytes() for path in files]


def mutate(data, original: bytes) -> bytes:
    """One of: cut short, bytes overwritten, bytes inserted, a slice removed or repeated."""
    size = len(original)
    at = data.draw(st.integers(0, size))
    end = data.draw(st.integers(at, size))
    kind = data.draw(st.sampled_from(["truncate", "overwrite", "insert", "delete", "repeat"]))
    noise = data.draw(st.binary(min_size=1, max_size=64))
    if kind == "truncate":
        return original[:at]
    if kind == "overwrite":
        return original[:at] + noise + original[at + len(noise) :]
    if kind == "insert":
        return original[:at] + noise + original[at:]
    if kind == "delete":
        return original[:at] + original[end:]
    return original[:end] + original[at:end] + original[end:]


@settings(max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_mutated_real_feeds_give_items_or_not_a_feed(real_feeds, data):
    original = data.draw(st.sampled_from(real_feeds))
    mutated = original
    for _round in range(data.draw(st.integers(1, 3))):
        mutated = mutate(data, mutated)
    parse_or_refuse(mutated, data.draw(st.sampled_from(CONTENT_TYPES)))


def test_every_real_feed_gives_items_or_not_a_feed(real_feeds):
    readable = [parse_or_refuse(content, "application/xml") for content in real_feeds]
    assert any(parsed and parsed.items for parsed in readable), "the real feeds have items to read"


# Generated feeds: every item that has a link is returned, in order, whatever its title says.
xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=200)
links = st.lists(
    st.from_regex(r"https://news\.example\.org/[a-z0-9\-/]{1,30}", fullmatch=True), max_size=8, unique=True
)


def rss(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link></item>" for link, title in items
    )
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>{entries}</channel></rss>".encode()


def atom(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<entry><title>{escape(title)}</title><link href='{escape(link)}'/><id>{escape(link)}</id></entry>"
        for link, title in items
    )
    return f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>T</title>{entries}</feed>".encode()


@FUZZ
@given(urls=links, titles=st.lists(xml_text, min_size=8, max_size=8), build=st.sampled_from([rss, atom]))
def test_every_item_of_a_generated_feed_is_read(urls, titles, build):
    items = list(zip(urls, titles, strict=False))
    parsed = parse_or_refuse(build(items), "application/xml")
    assert parsed is not None
    assert parsed.kind == (Feed.Kind.ATOM if build is atom else Feed.Kind.RSS)
    assert [item.url for item in parsed.items] == urls


@pytest.mark.parametrize("stray", [b"\x80", b"\x00"])
def test_a_feed_whose_bytes_break_its_declared_encoding_is_refused_as_not_a_feed(stray):
    # Found by the fuzzer above: feedparser raised UnicodeDecodeError / ValueError on these.
    content = b'<?xml version="1.0" encoding="big5"?>\n<rss>\n</rss>'[:30] + stray + b'"?>\n<rss>\n</rss>'
    with pytest.raises(NotAFeed, match="cannot be decoded"):
        parse_feed(content, "")
