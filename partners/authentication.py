from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from audit.context import name_actor
from claimtrack.api.permissions import APIClient

from .models import PartnerAPIKey

KEYWORD = "Api-Key"


class PartnerClient(APIClient):
    """A request made with a partner's API key: the partner, not a user (claimtrack.api.permissions
    decides what an API client may do)."""

    def __init__(self, api_key: PartnerAPIKey):
        self.api_key = api_key
        self.partner = api_key.partner

    @property
    def can_write(self) -> bool:
        return self.api_key.can_write

    def __str__(self):
        return f"partner {self.partner.name}"


class PartnerAPIKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <prefix>.<secret>`; the key is checked against its stored hash."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _, key = header.partition(" ")
        if keyword.lower() != KEYWORD.lower():
            return None
        key = key.strip()
        if not key:
            raise exceptions.AuthenticationFailed("The Api-Key header has no key.")
        try:
            api_key = PartnerAPIKey.objects.get_from_key(key)
        except PartnerAPIKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.") from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        self._record_use(api_key)
        name_actor(f"partner key {api_key.prefix} ({api_key.partner.name})")
        return PartnerClient(api_key), api_key

    def authenticate_header(self, request):
        return KEYWORD

    @staticmethod
    def _record_use(api_key: PartnerAPIKey) -> None:
        # At most one write per key per resolution period, not one per request.
        now = timezone.now()
        resolution = timedelta(seconds=settings.API_KEY_LAST_USED_RESOLUTION)
        if api_key.last_used_at is None or now - api_key.last_used_at >= resolution:
            PartnerAPIKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
