"""Request-wide behaviour of the newsroom pages."""

import codecs
import zoneinfo

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from claimtrack.api.errors import API_PREFIX, error_body
from claimtrack.lib.text import has_unstorable_characters, storable_text


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


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class MalformedRequestInputMiddleware:
    """Refuse a request whose query string or headers carry characters no text column or
    template can take (NUL, lone surrogates; claimtrack.lib.text), or whose form body declares a
    charset that is not a text encoding Python knows: a 400 (the API's JSON error under /api/)
    before any view runs, instead of a crash wherever the value would have ended up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem, field = self._problem(request)
        if problem:
            return self._refuse(request, problem, field)
        return self.get_response(request)

    def _problem(self, request) -> tuple[str, str | None]:
        """What is wrong, and the query parameter it is in (None: a header or the body)."""
        for name, values in request.GET.lists():
            if has_unstorable_characters(name) or any(has_unstorable_characters(value) for value in values):
                shown = storable_text(name)
                return f"The query parameter {shown!r} contains a character that is not allowed.", shown or "query"
        # Cookies are left out: a malformed session cookie is no session (claimtrack/sessions.py).
        for name, value in request.META.items():
            if name.startswith("HTTP_") and name != "HTTP_COOKIE" and has_unstorable_characters(str(value)):
                return "A request header contains a character that is not allowed.", None
        if request.content_type in _FORM_TYPES and "charset" in request.content_params:
            charset = request.content_params["charset"]
            try:
                text_encoding = codecs.lookup(charset)._is_text_encoding
            except LookupError:
                text_encoding = False
            if not text_encoding:
                return "The form's charset is not a known text encoding; send UTF-8.", None
        return "", None

    def _refuse(self, request, problem: str, field: str | None):
        if request.path.startswith(API_PREFIX):
            # The API names the parameter, as a serializer's or a filter's refusal does.
            fields = {field: [problem]} if field is not None else None
            return JsonResponse(error_body(400, problem, fields=fields), status=400)
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
