"""@mentions in notes: which names a text mentions, and a note's text as safe HTML.

A mention is `@` + a username (letters, digits and . + - _), not preceded by a letter, a digit or
a URL's punctuation, so `ed@example.com` and `https://x.example/@ed` mention nobody. One pattern
for the service that resolves mentions and for the page that highlights them."""

import re

from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

MENTION = re.compile(r"(?<![\w@/.:+\-=&?#%~])@([\w.+\-]*\w)")
# Links urlize made: mentions inside them (an address's path, an e-mail) are left alone.
_LINK = re.compile(r"(<a [^>]*>.*?</a>)", re.DOTALL)


def mentioned_usernames(text: str) -> list[str]:
    """The distinct usernames `text` mentions, in order of first mention (case as written; two
    spellings differing in case only count once)."""
    names, seen = [], set()
    for match in MENTION.finditer(text or ""):
        name = match.group(1)
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


def note_html(text: str, mentioned: set[str]) -> SafeString:
    """A note's plain text as HTML: everything escaped, http(s) addresses and www. names made links
    (rel nofollow noopener noreferrer, so never javascript: or any other scheme), and mentions of
    `mentioned` (lower-cased usernames) highlighted."""
    linked = urlize(text, nofollow=True, autoescape=True)
    linked = linked.replace('rel="nofollow"', 'rel="nofollow noopener noreferrer"')

    def highlight(match):
        if match.group(1).lower() not in mentioned:
            return match.group(0)
        return f'<strong class="mention">{match.group(0)}</strong>'

    parts = _LINK.split(linked)
    # Every other part is a link; the rest is text urlize escaped, so it holds no markup.
    html = "".join(part if index % 2 else MENTION.sub(highlight, part) for index, part in enumerate(parts))
    return mark_safe(html)  # noqa: S308 - escaped by urlize, spans added around escaped usernames
