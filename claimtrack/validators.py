"""Validators shared by every app."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from claimtrack.lib import dates
from claimtrack.lib.countries import ISO_3166_ALPHA_2

# Django's URLValidator also accepts ftp and ftps by default; claimtrack stores and fetches only
# web addresses, so every stored URL (models, forms, API serializers) uses this one.
HTTP_SCHEMES = ["http", "https"]
validate_http_url = URLValidator(
    schemes=HTTP_SCHEMES, message=_("Enter a web address starting with http:// or https://.")
)


def validate_country_code(value) -> None:
    """An ISO 3166-1 alpha-2 country code in capitals (IQ, TR, GB), or empty."""
    if value and value not in ISO_3166_ALPHA_2:
        raise ValidationError(_("Enter a two-letter ISO 3166 country code, such as IQ or TR."), code="invalid_country")


class HttpURLFormField(forms.URLField):
    """A form's URL field accepting only http and https, with one clear message."""

    default_validators = [validate_http_url]
    default_error_messages = {"invalid": validate_http_url.message}  # a field's message wins over its validators'


class HttpURLSerializerField(serializers.URLField):
    """An API URL field accepting only http and https, with one clear message."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # DRF adds Django's URLValidator (ftp allowed); keep length checks, swap the URL check.
        self.validators = [check for check in self.validators if not isinstance(check, URLValidator)]
        self.validators.append(validate_http_url)


# Times seen or published, and the days of date filters: the one range of claimtrack.lib.dates, at
# every entrance (forms, API fields and filters, services), so an extreme date is refused with a
# clear message before any conversion can overflow or the database store a BC time.
DATE_OUT_OF_RANGE = "date_out_of_range"


def validate_seen_time(value) -> None:
    """Refuse a seen or published time outside claimtrack.lib.dates' range."""
    if value is not None and not dates.in_range(value):
        raise ValidationError(
            _("Enter a time %(range)s."), code=DATE_OUT_OF_RANGE, params={"range": dates.range_description()}
        )


def validate_filter_day(value) -> None:
    """Refuse a filter's day outside claimtrack.lib.dates' range."""
    if value is not None and not dates.day_in_range(value):
        raise ValidationError(
            _("Enter a date %(range)s."), code=DATE_OUT_OF_RANGE, params={"range": dates.range_description()}
        )


class SeenTimeFormField(forms.DateTimeField):
    """A form's "seen at" / "first seen" time, in the accepted range."""

    default_validators = [validate_seen_time]


class FilterDayFormField(forms.DateField):
    """A filter form's day, in the accepted range (a day past it would overflow)."""

    default_validators = [validate_filter_day]


class SeenTimeSerializerField(serializers.DateTimeField):
    """An API "seen at" / "first seen" time, in the accepted range."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("From 1900-01-01 to one day from now; anything else is refused."))
        super().__init__(**kwargs)

    def enforce_timezone(self, value):
        # Before DRF converts it to the current time zone, where an extreme time would only say
        # "out of range" (or, naive, be taken as local): the message names the range.
        validate_seen_time(value)
        return super().enforce_timezone(value)
