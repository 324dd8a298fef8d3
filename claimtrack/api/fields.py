"""Small helpers for the hand-written representations of hot endpoints (lists of 50 items): the
same output DRF's fields would give, without their per-field overhead."""

from rest_framework import serializers
from rest_framework.fields import BooleanField


def iso(moment) -> str | None:
    """A datetime as DRF renders it: ISO 8601, UTC written as Z."""
    if moment is None:
        return None
    value = moment.isoformat()
    return value[:-6] + "Z" if value.endswith("+00:00") else value


def include_retracted(request) -> bool:
    """The `include_retracted` query parameter: true/false (1/0, yes/no); anything else is a 400."""
    if request is None:  # schema generation
        return False
    raw = request.query_params.get("include_retracted")
    if raw is None or raw == "":
        return False
    if raw.lower() in BooleanField.TRUE_VALUES:
        return True
    if raw.lower() in BooleanField.FALSE_VALUES:
        return False
    raise serializers.ValidationError({"include_retracted": ["Use true or false."]})
