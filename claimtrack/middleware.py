"""Request-wide behaviour of the newsroom pages."""

import zoneinfo

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from claimtrack.api.errors import API_PREFIX, error_body


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


class RequestBodyLimitMiddleware:
    """Refuses an oversized request body by its Content-Length, before anything reads it: the CSRF
    check, the login form, DRF's parsers and Django's upload handlers all run later. A multipart
    body on the newsroom pages (evidence uploads) may be UPLOAD_REQUEST_MAX_BYTES, any other body
    (forms, the API's JSON) REQUEST_BODY_MAX_BYTES. A body sent without Content-Length (chunked)
    is refused with 411: Django would otherwise serve the request as if it had no body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_TRANSFER_ENCODING") and not request.META.get("CONTENT_LENGTH"):
            return _body_refused(request, 411, _("Send the request body with a Content-Length header."))
        limit = body_limit(request)
        if _declared_length(request) > limit:
            message = _("The request body is larger than this server accepts (%(size)s).") % {
                "size": filesizeformat(limit)
            }
            return _body_refused(request, 413, message)
        return self.get_response(request)


def body_limit(request) -> int:
    if not request.path.startswith(API_PREFIX) and request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        return settings.UPLOAD_REQUEST_MAX_BYTES
    return settings.REQUEST_BODY_MAX_BYTES


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body for a Content-Length that is not a number


def _body_refused(request, status: int, message: str) -> HttpResponse:
    # The body is left unread (gunicorn's sync workers close the connection after the response;
    # Connection is a hop-by-hop header, which a WSGI application may not set).
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(error_body(status, message), status=status)
    else:
        response = HttpResponse(render_to_string("request_body_refused.html", {"message": message}), status=status)
        # Answered before the CSP and clickjacking middleware run: the page sets its own.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'self'; frame-ancestors 'none'"
        response["X-Frame-Options"] = "DENY"
    return response
