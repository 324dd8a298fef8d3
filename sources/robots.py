"""robots.txt, respected for article pages (RFC 9309). Parsed by the standard library's
RobotFileParser; the file is fetched through claimtrack.outbound and cached per origin."""

from functools import lru_cache
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from django.conf import settings
from django.core.cache import cache

from claimtrack import outbound, politeness

ROBOTS_CACHE_SECONDS = 3600
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_USER_AGENT = "claimtrack"  # the product token matched against User-agent lines

# How an answer other than 2xx is read (RFC 9309 section 2.3.1): 4xx means no rules; a server
# error or no answer means everything is disallowed for now (RobotsUnavailable, a transient error).
ALLOW_ALL = "User-agent: *\nDisallow:\n"
UNAVAILABLE = "\0unavailable"


class RobotsUnavailable(Exception):
    """robots.txt could not be read; the site's pages are not fetched until it can be."""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _robots_text(origin: str) -> str:
    key = f"claimtrack:robots:{origin}"
    text = cache.get(key)
    if text == UNAVAILABLE:
        raise RobotsUnavailable(f"robots.txt of {origin} could not be read recently")
    if text is not None:
        return text
    try:
        politeness.wait_for_turn(urlsplit(origin).hostname or "", max_wait=settings.CELERY_TASK_SOFT_TIME_LIMIT / 4)
        response = outbound.request("GET", f"{origin}/robots.txt", max_bytes=ROBOTS_MAX_BYTES, timeout=15)
    except politeness.HostBusy as error:
        raise RobotsUnavailable(f"robots.txt of {origin}: {error}") from None  # a retry later, not cached
    except outbound.OutboundRequestFailed as error:
        cache.set(key, UNAVAILABLE, 300)  # try again in a few minutes
        raise RobotsUnavailable(f"robots.txt of {origin}: {error.reason}") from None
    if 200 <= response.status_code < 300:
        text = response.content.decode("utf-8", errors="replace")
    elif 400 <= response.status_code < 500:
        text = ALLOW_ALL
    else:
        cache.set(key, UNAVAILABLE, 300)
        raise RobotsUnavailable(f"robots.txt of {origin} answered {response.status_code}")
    cache.set(key, text, ROBOTS_CACHE_SECONDS)
    return text


@lru_cache(maxsize=256)
def _parsed(text: str) -> RobotFileParser:
    """robots.txt parsed once per text (a site's articles are checked one after another)."""
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return parser


def is_allowed(url: str) -> bool:
    """Whether robots.txt of the URL's site lets claimtrack fetch it."""
    return _parsed(_robots_text(_origin(url))).can_fetch(ROBOTS_USER_AGENT, url)
