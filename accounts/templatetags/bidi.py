"""Text people typed, made inert to bidirectional tricks where markup cannot isolate it.

In HTML, user text goes in an element with dir="auto" (or <bdi>), which CSS isolates. Where no
element can be used (the page's <title>, an <option>, SVG <text> and <title>), `isolate` wraps the
text in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: its own direction, or an override character
it holds (U+202E …), then stops at its end. The stored text is never changed; only its display is.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


@register.filter(needs_autoescape=True)
def isolate(value, autoescape=True):
    text = conditional_escape(value) if autoescape else str(value)
    return mark_safe(f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}")  # noqa: S308 - escaped above
