"""The API's JSON parser, with a bound on nesting.

The body's size is bounded before it is read (claimtrack.middleware.RequestBodyLimitMiddleware);
here a document nested deeper than MAX_JSON_DEPTH is a 400 in the API's error shape, where the
standard parser lets Python's RecursionError become a 500 (and a deep but parsable document would
reach code that walks it recursively)."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Far more than any request of the API needs (its bodies are objects of scalars and short lists).
MAX_JSON_DEPTH = 32


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        return data


def json_depth(data) -> int:
    """How deeply lists and objects nest in parsed JSON (a scalar is 0), walked without recursion."""
    deepest, pending = 0, [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_JSON_DEPTH:  # deeper is already too deep: no need to walk further
            pending.extend((child, depth + 1) for child in children)
    return deepest
