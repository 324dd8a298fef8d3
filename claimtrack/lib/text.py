"""Text from outside (feeds, pages, headers, imports) made storable.

PostgreSQL's text cannot hold the NUL character (it refuses the whole statement), and no database
can encode a lone surrogate (half of a UTF-16 pair, which Python strings may carry after a lenient
decode) as UTF-8. Both are dropped where external text enters; nothing else is changed.
"""

import re

# NUL and the surrogate range U+D800–U+DFFF: characters a UTF-8 text column cannot store.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(value: str | None) -> str:
    """`value` without the characters a text column cannot store ("" for None)."""
    if not value:
        return ""
    return UNSTORABLE.sub("", value)


def has_unstorable_characters(value: str) -> bool:
    return bool(value) and UNSTORABLE.search(value) is not None
