"""How a moment is shown on the pages, in the interface's language (a template builtin, see
settings.TEMPLATES): {{ appearance.seen_at|when }}.

English keeps the newsroom's compact form, "2026-12-03 17:32 +0300". Arabic and Central Kurdish
read a date with the month's name in the language (Django's formats and catalogues for ar and
ckb): "3 ديسمبر، 2026 5:32 م +0300", "3 بەفرانبار 2026 17:32 +0300". The machine
form stays in the <time datetime> attribute beside it.
"""

from django import template
from django.utils import dateformat, formats, timezone, translation

register = template.Library()

COMPACT = "Y-m-d H:i O"
# Interface languages whose readers get the month in words (the others: COMPACT).
WORDED = {"ar", "ckb"}


@register.filter
def when(value):
    if value in (None, ""):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    if (translation.get_language() or "").split("-")[0] not in WORDED:
        return dateformat.format(value, COMPACT)
    # The language's date and time formats (Django's ar has no DATETIME_FORMAT of its own).
    return f"{formats.date_format(value, 'DATE_FORMAT')} {formats.time_format(value, 'TIME_FORMAT')} {value:%z}"
