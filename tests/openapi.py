"""The API's OpenAPI document as the tests check it, and the strict check of one response.

Every response the test suite receives under /api/v1/ goes through check_api_response: the autouse
fixture in conftest.py wraps Django's test client (which DRF's APIClient builds on), the schemathesis
tests run it as a check, the generated client's test as an httpx response hook. openapi-core
validates the status code (an undocumented one fails), the headers the document declares required,
the content type and the body, under OpenAPI 3.0.3 rules: `nullable` counts only next to a `type`,
formats are checked. A method or address the document does not list must answer a JSON error.
"""

import functools
import json
from urllib.parse import urlsplit

from openapi_core import OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_document

API_PREFIX = "/api/v1/"
# Not operations of the API: the document itself.
UNDOCUMENTED_PATHS = {"/api/v1/schema/"}
# What an address or a method the document does not list may answer: an error in the API's shape.
# (Authentication and throttling run before DRF looks at the method, hence 401/403/429; the body
# limit before routing, hence 411/413; a malformed query string or header, or a bad Host, is
# refused before routing too, hence 400.)
UNLISTED_STATUSES = {400, 401, 403, 404, 405, 406, 411, 413, 429}


class SchemaMismatch(AssertionError):
    """A response that is not what the OpenAPI document says."""


@functools.cache
def api_document() -> dict:
    """The document /api/v1/schema/ serves, generated once per test session and itself valid."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    # The real URL map, whatever a test's ROOT_URLCONF is.
    schema = SchemaGenerator(api_version="1", urlconf="claimtrack.urls").get_schema(request=None, public=True)
    document = json.loads(OpenApiJsonRenderer().render(schema))
    validate_document(document)
    return document


@functools.cache
def _openapi() -> OpenAPI:
    return OpenAPI.from_dict(api_document())


def _error_validator() -> OAS30Validator:
    document = api_document()
    return OAS30Validator(document["components"]["schemas"]["Error"], format_checker=OAS30Validator.FORMAT_CHECKER)


def check_api_response(*, method: str, path: str, status: int, headers: dict, body: bytes) -> None:
    """Raise SchemaMismatch unless this response is one the document allows for this request."""
    if not path.startswith(API_PREFIX) or path in UNDOCUMENTED_PATHS:
        return
    content_type = headers.get("Content-Type", headers.get("content-type", ""))
    request = MockRequest("http://testserver", method.lower(), path)
    response = MockResponse(body, status_code=status, headers=headers, content_type=content_type)
    try:
        _openapi().validate_response(request, response)
    except (PathNotFound, OperationNotFound):
        _check_unlisted(method, path, status, content_type, body)
    except OpenAPIError as error:
        raise SchemaMismatch(
            f"{method} {path} → {status}: {error!r} {error.__cause__ or ''}\n{body[:2000]!r}"
        ) from error


def _check_unlisted(method, path, status, content_type, body) -> None:
    if status not in UNLISTED_STATUSES:
        raise SchemaMismatch(f"{method} {path} is not in the OpenAPI document, yet answered {status}")
    if not content_type.startswith("application/json"):
        raise SchemaMismatch(f"{method} {path} → {status}: not the JSON error shape ({content_type})")
    errors = sorted(_error_validator().iter_errors(json.loads(body)), key=str)
    if errors:
        raise SchemaMismatch(f"{method} {path} → {status}: not the JSON error shape: {errors[0].message}")


def check_django_response(response) -> None:
    """check_api_response for a response of Django's (or DRF's) test client."""
    request = response.wsgi_request
    body = b"" if response.streaming else response.content
    check_api_response(
        method=request.method, path=request.path, status=response.status_code, headers=dict(response.headers), body=body
    )


def matches_the_openapi_document(ctx, response, case) -> None:
    """check_api_response as a schemathesis check (its own conformance checks are less strict about
    `nullable`)."""
    check_api_response(
        method=response.request.method,
        path=urlsplit(response.request.url).path,
        status=response.status_code,
        headers={name: ", ".join(values) for name, values in response.headers.items()},
        body=response.content,
    )
