"""Web pages and feeds the ingestion tests serve on loopback: an RSS feed of given items, a news article
with boilerplate around its text, and the paragraphs of the demo story."""

from xml.sax.saxutils import escape


def rss(items, title="Test feed"):
    """An RSS 2.0 document listing (url, title) items."""
    entries = "".join(
        f"<item><title>{escape(item_title)}</title><link>{escape(url)}</link>"
        f"<pubDate>Wed, 06 Nov 2024 10:00:00 GMT</pubDate></item>"
        for url, item_title in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://127.0.0.1/</link><description>d</description>{entries}</channel></rss>"
    ).encode()


def article(title, paragraphs, lang="en"):
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title></head><body>'
        f"<nav>Home | World | Sport</nav><article><h1>{escape(title)}</h1>{body}</article>"
        f"<footer>Copyright the newsroom</footer></body></html>"
    ).encode()


PARAGRAPHS = [
    "Local media reported on Friday that federal police units had withdrawn from their posts in Kirkuk "
    "ahead of an expected attack, citing residents and photographs shared on social media.",
    "The outlet said it could not independently verify the photographs, which showed empty checkpoints "
    "along the main road leading into the city from the south.",
    "On Saturday the Defence Ministry called the reports fabricated and said no withdrawal had taken "
    "place, adding that units remained at their positions across the province.",
]
