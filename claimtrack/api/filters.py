from datetime import UTC

from django import forms
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from claimtrack.lib.languages import LANGUAGE_TAG_MAX_LENGTH, LANGUAGE_TAG_PATTERN, is_language_tag
from claimtrack.validators import validate_seen_time

# Ids are positive and fit the databases' 64-bit integers; anything else is a 400, not a crash.
MAX_ID = 2**63 - 1
ID_PATTERN = r"[0-9]{1,18}"
MAX_PATH_ID = 10**18 - 1  # the largest id ID_PATTERN matches


# An id in the OpenAPI document: an integer (django-filter's NumberFilter would say "number", and a
# generated client would send 1.0).
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


@extend_schema_field(ID_SCHEMA)
class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class LanguageTagField(forms.CharField):
    """A language tag (ar, ckb, en-GB; claimtrack.lib.languages): anything else, too long or with
    control characters, is a 400 naming the parameter."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", LANGUAGE_TAG_MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not is_language_tag(value):
            raise forms.ValidationError("Enter a language tag such as ar, ckb or en.", code="invalid")


LANGUAGE_TAG_SCHEMA = {"type": "string", "pattern": f"^{LANGUAGE_TAG_PATTERN}$", "maxLength": LANGUAGE_TAG_MAX_LENGTH}


@extend_schema_field(LANGUAGE_TAG_SCHEMA)
class LanguageFilter(filters.CharFilter):
    """`field = tag`, exactly: "ar" does not find "ar-IQ"."""

    field_class = LanguageTagField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.extra.get("help_text"):  # a schema override drops help_text: carry it in the override
            extend_schema_field({**LANGUAGE_TAG_SCHEMA, "description": self.extra["help_text"]})(self)


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned to UTC: databases reject unusual offsets (PostgreSQL stops at
    ±15:59). A time outside claimtrack.lib.dates' range (or whose UTC form falls outside years
    1–9999) is a 400."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None or value.tzinfo is None:
            return value
        validate_seen_time(value)  # before converting: an extreme time would overflow
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("This time is out of range.", code="invalid") from None


class SinceFilter(filters.IsoDateTimeFilter):
    """`field >= time`, the time in ISO 8601."""

    field_class = UTCIsoDateTimeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "gte")
        super().__init__(*args, **kwargs)
