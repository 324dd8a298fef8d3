"""Validators shared by every app."""

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Django's URLValidator also accepts ftp and ftps by default; claimtrack stores and fetches only
# web addresses, so every stored URL (models, forms, API serializers) uses this one.
HTTP_SCHEMES = ["http", "https"]
validate_http_url = URLValidator(
    schemes=HTTP_SCHEMES, message=_("Enter a web address starting with http:// or https://.")
)


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
