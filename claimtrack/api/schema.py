"""OpenAPI extras: the API-key scheme, the error responses every operation can give, conditional
GET (304 and ETag), and a few corrections of drf-spectacular's output so that the document is what
the server does and strict OpenAPI 3.0 validators and generated clients accept it."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .filters import ID_PATTERN, MAX_PATH_ID

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "example": "not_found"},
                "message": {"type": "string", "example": "Not found."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "example": {},
                },
            },
        }
    },
}

ERROR_RESPONSES = {
    "400": "The input is not valid; `fields` says which field and why.",
    "401": "No credentials, or an unknown or revoked API key.",
    "403": "The credentials are valid but may not do this (e.g. a read key writing).",
    "404": "No such item (or not published).",
    "409": "The claim's status changed since you read it (expected_status).",
    "405": "The method is not allowed on this endpoint.",
    "406": "The requested format is not available (the API speaks JSON).",
    "411": "A body was sent without Content-Length (chunked); send its length.",
    "413": "The request body is over the limit (REQUEST_BODY_MAX_BYTES, 1 MiB by default).",
    "415": "Send JSON (Content-Type: application/json).",
    "429": "Too many requests for this key; retry after `Retry-After` seconds.",
}


# Headers that always come with an error response (DRF sets them).
ERROR_HEADERS = {
    "401": {
        "WWW-Authenticate": {
            "description": "How to authenticate: `Api-Key`.",
            "required": True,
            "schema": {"type": "string", "example": "Api-Key"},
        }
    },
    "405": {
        "Allow": {
            "description": "The methods this endpoint allows.",
            "required": True,
            "schema": {"type": "string", "example": "GET, HEAD"},
        }
    },
    "429": {
        "Retry-After": {
            "description": "Seconds to wait before the next request.",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}

ETAG_HEADER = {
    "ETag": {
        "description": "The version of this representation; send it back in `If-None-Match`.",
        "required": True,
        "schema": {"type": "string", "example": '"5d41402abc4b2a76b9719d911017c592"'},
    }
}


class PartnerAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partners.authentication.PartnerAPIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Send `Authorization: Api-Key <key>`. Keys are scoped "read" or "write".',
        }


def document_error_responses(result, generator, request, public):
    """Add the shared error schema and the error responses to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            # 400 on GET too: query parameters (the page cursor among them) are validated.
            wanted = ["400", "401", "403", "404", "405", "406", "429"]
            if method in {"post", "put", "patch"}:
                wanted.append("415")
            if method in {"post", "put", "patch", "delete"}:
                # Refused by claimtrack.middleware.RequestBodyLimitMiddleware before the body is read.
                wanted.extend(["411", "413"])
            if path.endswith("/status/"):
                wanted.append("409")
            for code in wanted:
                response = {
                    "description": ERROR_RESPONSES[code],
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                if code in ERROR_HEADERS:
                    response["headers"] = ERROR_HEADERS[code]
                responses.setdefault(code, response)
    return result


LOCATION_HEADER = {
    "Location": {
        "description": "Where the item is now.",
        "required": True,
        "schema": {"type": "string", "format": "uri"},
    }
}


def document_redirects(result, generator, request, public):
    """Every 301 of the document (e.g. a claim merged into another) carries a Location header."""
    for _path, _method, operation in _operations(result):
        for code, response in operation.get("responses", {}).items():
            if code == "301":
                response.setdefault("headers", {}).update(LOCATION_HEADER)
                response.pop("content", None)  # no body
    return result


def _operations(result):
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            yield path, method, operation


def document_conditional_get(result, generator, request, public):
    """Operations that take If-None-Match (claimtrack.api.conditional.with_etag) send an ETag with
    their 200 and answer 304, with no body, when the client's copy is current."""
    for _path, _method, operation in _operations(result):
        parameters = operation.get("parameters", [])
        if not any(p["in"] == "header" and p["name"] == "If-None-Match" for p in parameters):
            continue
        operation["responses"]["200"]["headers"] = ETAG_HEADER
        operation["responses"]["304"] = {
            "description": "Not modified: the ETag in If-None-Match is still current.",
            "headers": ETAG_HEADER,
        }
        # Django's conditional GET also honours If-Match and If-Unmodified-Since (there is no
        # Last-Modified, so the latter always fails).
        operation["responses"]["412"] = {
            "description": "If-Match names no current ETag, or If-Unmodified-Since was sent.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return result


# null under OpenAPI 3.0.3: `nullable` only adds null to a `type` in the same schema object, so
# drf-spectacular's `{allOf: [{$ref}], nullable: true}` rejects null in strict validators
# (openapi-core, openapi-schema-validator). A one-of between the reference and a schema that is
# only null says the same thing in a way they accept, and that openapi-python-client turns into
# `Verdict | None`. (OAS 3.1's `{type: "null"}` would be cleaner, but partners' 3.0 tooling is the
# reason the document is 3.0.)
NULL_SCHEMA = {"type": "object", "nullable": True, "enum": [None]}


def _nullable_references(node):
    if isinstance(node, list):
        return [_nullable_references(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_references(value) for key, value in node.items()}
    if node.get("nullable") is True and "type" not in node and len(node.get("allOf", [])) == 1:
        rest = {key: value for key, value in node.items() if key not in {"allOf", "nullable"}}
        return {"oneOf": [node["allOf"][0], NULL_SCHEMA], **rest}
    return node


def nullable_references(result, generator, request, public):
    return _nullable_references(result)


# Path ids: drf-spectacular types a path parameter with a lookup regex as a string; they are the
# same integers as the items' "id" (at most 18 digits, see ID_PATTERN).
PATH_ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_PATH_ID}


def path_ids_as_integers(result, generator, request, public):
    for _path, _method, operation in _operations(result):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"].get("pattern") == f"^{ID_PATTERN}$":
                parameter["schema"] = dict(PATH_ID_SCHEMA)
    return result


# OpenAPI links: which operation's response gives the id another operation needs. They document
# the API's flow and drive schemathesis's stateful runs (tests/api/test_stateful_api.py).
# (method, path, status) → {link name: target operationId}; the id is always the response's "id".
SUBMITTED_CLAIM_LINKS = {
    "GetClaim": "claims_retrieve",
    "GetClaimTimeline": "claims_timeline_list",
    "GetClaimReview": "claims_claimreview_retrieve",
    "ChangeClaimStatus": "claims_status_create",
    "PublishVerdict": "claims_verdicts_create",
}
LINKS = {
    ("post", "/api/v1/claims/", "201"): SUBMITTED_CLAIM_LINKS,
    # 200: the same Idempotency-Key again, answered with the claim the first request created.
    ("post", "/api/v1/claims/", "200"): SUBMITTED_CLAIM_LINKS,
    ("get", "/api/v1/claims/{id}/", "200"): {
        "GetClaimTimeline": "claims_timeline_list",
        "GetClaimReview": "claims_claimreview_retrieve",
    },
    ("post", "/api/v1/webhooks/", "201"): {
        "GetWebhook": "webhooks_retrieve",
        "GetWebhookDeliveries": "webhooks_deliveries_list",
        "DeleteWebhook": "webhooks_destroy",
    },
}


def add_links(result, generator, request, public):
    for (method, path, status), links in LINKS.items():
        response = result.get("paths", {}).get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is not None:
            response["links"] = {
                name: {"operationId": target, "parameters": {"id": "$response.body#/id"}}
                for name, target in links.items()
            }
    return result
