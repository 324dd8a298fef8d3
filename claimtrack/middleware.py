"""Request-wide behaviour of the newsroom pages."""

import zoneinfo

from django.conf import settings
from django.utils import timezone


class NewsroomTimeZoneMiddleware:
    """Times are stored in UTC; pages show them in the newsroom's time zone (with the offset)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.zone = zoneinfo.ZoneInfo(settings.NEWSROOM_TIME_ZONE)

    def __call__(self, request):
        timezone.activate(self.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def client_ip_address(request) -> str | None:
    """The client's address for login rate limiting. Behind TRUSTED_PROXY_COUNT proxies the
    address is the entry that many hops from the right of X-Forwarded-For (entries further left
    are whatever the client chose to send, so they are never trusted)."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")
