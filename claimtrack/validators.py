"""Validators shared by every app."""

from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

# Django's URLValidator also accepts ftp and ftps by default; claimtrack stores and fetches only
# web addresses, so every stored URL (models, forms, API serializers) uses this one.
HTTP_SCHEMES = ["http", "https"]
validate_http_url = URLValidator(
    schemes=HTTP_SCHEMES, message=_("Enter a web address starting with http:// or https://.")
)
