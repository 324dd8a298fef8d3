"""Reading what was fetched: feeds with feedparser (sitemaps with lxml), articles with trafilatura.
Pure functions of the bytes and headers; nothing here fetches or stores."""

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

import courlan
import feedparser
import trafilatura
from django.core.exceptions import ValidationError
from lxml import etree

from claimtrack.lib import dates
from claimtrack.lib.text import storable_text

from .models import Feed
from .services import canonicalize_url

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
HTML_TYPES = {"text/html", "application/xhtml+xml"}


class NotAFeed(Exception):
    """The content is not a feed at all (an HTML page, an empty document, garbage)."""


class NotAnArticle(Exception):
    """The page has no text that could be extracted, or is not HTML."""


@dataclass
class FeedItem:
    url: str
    title: str = ""
    published_at: datetime | None = None


@dataclass
class ParsedFeed:
    kind: str
    items: list[FeedItem] = field(default_factory=list)
    problem: str = ""  # set when the feed is malformed but items could be read


@dataclass
class Article:
    title: str
    text: str
    canonical_url: str
    published_at: datetime | None
    language: str
    author: str


def _struct_to_datetime(value) -> datetime | None:
    """A feed's date (feedparser gives it in UTC); None when missing, malformed or outside
    claimtrack.lib.dates' range: a feed's wrong date is dropped, the item kept."""
    if not value:
        return None
    try:
        return dates.in_range_or_none(datetime(*value[:6], tzinfo=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def _parse_sitemap(content: bytes) -> ParsedFeed | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError:
        return None
    tag = etree.QName(root).localname if isinstance(root.tag, str) else ""
    if tag == "sitemapindex":
        raise NotAFeed("a sitemap index: add the sitemaps it lists as feeds instead")
    if tag != "urlset":
        return None
    items = []
    for url in root.iter(f"{{{SITEMAP_NS}}}url"):
        loc = storable_text(url.findtext(f"{{{SITEMAP_NS}}}loc")).strip()
        if not loc:
            continue
        title = storable_text(url.findtext(f"{{{NEWS_NS}}}news/{{{NEWS_NS}}}title")).strip()
        items.append(FeedItem(url=loc, title=title[:1000]))
    return ParsedFeed(kind=Feed.Kind.SITEMAP, items=items)


def parse_feed(content: bytes, content_type: str = "") -> ParsedFeed:
    """The items of an RSS, Atom or RDF feed or a sitemap. Raises NotAFeed when nothing in the
    content is a feed; a malformed feed whose items could partly be read comes back with `problem`."""
    if not content.strip():
        raise NotAFeed("the response was empty")
    head = content[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        sitemap = _parse_sitemap(content)
        if sitemap is not None:
            return sitemap
    # A stream, never bytes or str: feedparser would treat a string as a URL or file name to open.
    try:
        parsed = feedparser.parse(
            io.BytesIO(content), response_headers={"content-type": content_type or "application/xml"}
        )
    except (UnicodeDecodeError, ValueError) as error:
        # feedparser trusts the declared encoding when it re-decodes, and raises on bytes that the
        # declaration cannot hold (e.g. `encoding="big5"` declared over stray \x80 or NUL bytes).
        raise NotAFeed(f"the content cannot be decoded as its declared encoding ({type(error).__name__})") from None
    version = parsed.get("version") or ""
    problem = ""
    # Served as text/html or text/plain is common for real feeds and harmless: not a problem.
    if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.NonXMLContentType):
        problem = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}"
    if not version and not parsed.entries:
        if any(tag in head for tag in (b"<!doctype html", b"<html", b"<head", b"<body")):
            raise NotAFeed("an HTML page")
        raise NotAFeed(problem or "no channel or items found")
    kind = Feed.Kind.ATOM if version.startswith("atom") else Feed.Kind.RSS
    items, seen = [], set()
    for entry in parsed.entries:
        # Feed text may carry characters a text column cannot store (a NUL in a title, say).
        link = storable_text(entry.get("link")).strip()
        if not link and entry.get("guidislink"):
            link = storable_text(entry.get("id")).strip()
        if not link or link in seen:
            continue
        seen.add(link)
        published = _struct_to_datetime(entry.get("published_parsed") or entry.get("updated_parsed"))
        title = storable_text(entry.get("title")).strip()[:1000]
        items.append(FeedItem(url=link, title=title, published_at=published))
    return ParsedFeed(kind=kind, items=items, problem=problem)


def _canonical_url(tree, final_url: str) -> str:
    """<link rel=canonical> when it names a page of the same site, else the final URL; tracking
    parameters removed either way."""
    links = tree.xpath("//head/link[@rel][@href]") or tree.xpath("//link[@rel][@href]")
    rels = [link.get("href") for link in links if link.get("rel", "").strip().lower() == "canonical"][:1]
    for href in map(storable_text, rels):
        candidate = courlan.normalize_url(href.strip()) if href.strip() else ""
        try:
            candidate = canonicalize_url(courlan.fix_relative_urls(final_url, candidate))
        except (ValidationError, ValueError):
            break
        # Another site's address is not trusted: a page could claim any document's identity.
        if not courlan.is_external(candidate, final_url, ignore_suffix=False):
            return candidate
    return canonicalize_url(final_url)


def _published_at(value: str | None) -> datetime | None:
    """An article's date from its metadata (trafilatura gives a day); None when malformed or outside
    claimtrack.lib.dates' range."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    # A date with an offset keeps its moment; a bare day or time is taken as UTC.
    moment = dates.in_range_or_none(moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment)
    return moment.astimezone(UTC) if moment else None


def extract_article(content: bytes, final_url: str, content_type: str = "text/html") -> Article:
    """Title, main text, date, language, author and canonical URL of an article page."""
    if content_type and content_type not in HTML_TYPES:
        raise NotAnArticle(f"not an HTML page (content type {content_type})")
    tree = trafilatura.load_html(content)
    if tree is None:
        raise NotAnArticle("the page could not be parsed as HTML")
    canonical = _canonical_url(tree, final_url)
    html_lang = (tree.get("lang") or "").strip()
    # The tree is parsed once; trafilatura prunes it while extracting, so read links first.
    # favor_precision: less boilerplate (comment policies, subscription notices) in the text.
    extracted = trafilatura.bare_extraction(
        tree, url=final_url, with_metadata=True, include_comments=False, favor_precision=True
    )
    if extracted is None or not (extracted.text or "").strip():
        raise NotAnArticle("no main text could be extracted")
    language = storable_text(extracted.language or html_lang).split(",")[0].strip()[:16]
    # The page's text may carry characters a text column cannot store (NUL, lone surrogates).
    return Article(
        title=storable_text(extracted.title).strip()[:1000],
        text=storable_text(extracted.text).strip(),
        canonical_url=canonical,
        published_at=_published_at(extracted.date),
        language=language,
        author=storable_text(extracted.author).strip()[:300],
    )
