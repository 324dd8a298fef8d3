"""One JSON error shape for every 4xx and 5xx under /api/:

    {"error": {"code": "not_found", "message": "No claim with that id.", "fields": {}}}

`fields` maps an input field to its messages (validation errors only). DRF's exceptions go
through json_exception_handler; anything else that ends in an error under /api/ (an unknown URL,
an uncaught exception) is turned into the same shape by JSONErrorsUnderAPIMiddleware, so a partner
never sees an HTML page or a stack trace.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

_DEFAULT_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    411: "length_required",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
}


def error_body(status_code: int, message: str, *, code: str | None = None, fields: dict | None = None) -> dict:
    return {
        "error": {
            "code": code or _DEFAULT_CODES.get(status_code, "error"),
            "message": message,
            "fields": fields or {},
        }
    }


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def _field_messages(detail) -> dict:
    """{"field": ["message", …]} from DRF's nested detail; nested fields are joined with dots."""
    fields = {}
    for name, value in detail.items():
        if isinstance(value, dict):
            for inner, messages in _field_messages(value).items():
                fields[f"{name}.{inner}"] = messages
        else:
            fields[name] = _flatten(value)
    return fields


def json_exception_handler(exc, context):
    # Service-layer errors: a ValidationError from claims.services is the caller's fault (400).
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(
                {name: [str(m) for e in errors for m in e] for name, errors in exc.error_dict.items()}
            )
        else:
            exc = exceptions.ValidationError({"non_field_errors": list(exc.messages)})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        # Unexpected: logged with its traceback; the client gets the shape and no details.
        logger.exception("Unhandled error in API view %s", context.get("view"), exc_info=exc)
        return JsonResponse(
            error_body(500, "Something went wrong on our side; it has been logged."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(detail, dict):
            fields = _field_messages(detail)
            general = fields.pop("non_field_errors", [])
            message = " ".join(general) or "Some fields are not valid; see `fields`."
        else:
            fields, message = {}, " ".join(_flatten(detail))
        response.data = error_body(400, message, code="invalid", fields=fields)
    else:
        code = getattr(detail, "code", None) or exc.default_code
        response.data = error_body(response.status_code, " ".join(_flatten(detail)), code=str(code))
    return response


class JSONErrorsUnderAPIMiddleware:
    """Under /api/, replace any error response that is not already JSON (Django's 404 page, a CSRF
    failure page, a 500) with the API's JSON error shape, and catch exceptions that escaped."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        messages = {
            404: "There is nothing at this address.",
            403: "You may not do this.",
            405: "This method is not allowed here.",
        }
        message = messages.get(response.status_code, "The request could not be served.")
        if response.status_code >= 500:
            message = "Something went wrong on our side; it has been logged."
        replacement = JsonResponse(error_body(response.status_code, message), status=response.status_code)
        for header in ("Retry-After", "Allow", "WWW-Authenticate"):
            if response.has_header(header):
                replacement[header] = response[header]
        return replacement

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        logger.exception("Unhandled error under %s", request.path, exc_info=exception)
        return JsonResponse(error_body(500, "Something went wrong on our side; it has been logged."), status=500)
