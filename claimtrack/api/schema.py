"""OpenAPI extras: the API-key scheme, and the error responses every operation can give."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

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
    "404": "No such item (or not published), or an invalid page cursor.",
    "409": "The claim's status changed since you read it (expected_status).",
    "405": "The method is not allowed on this endpoint.",
    "406": "The requested format is not available (the API speaks JSON).",
    "415": "Send JSON (Content-Type: application/json).",
    "429": "Too many requests for this key; retry after `Retry-After` seconds.",
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
            # 400 on GET too: query parameters are validated; 404 on lists: an invalid cursor.
            wanted = ["400", "401", "403", "404", "405", "406", "429"]
            if method in {"post", "put", "patch"}:
                wanted.append("415")
            if path.endswith("/status/"):
                wanted.append("409")
            for code in wanted:
                responses.setdefault(
                    code,
                    {
                        "description": ERROR_RESPONSES[code],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result


# OpenAPI links: which operation's response gives the id another operation needs. They document
# the API's flow and drive schemathesis's stateful runs (tests/api/test_stateful_api.py).
# (method, path, status) → {link name: target operationId}; the id is always the response's "id".
LINKS = {
    ("post", "/api/v1/claims/", "201"): {
        "GetClaim": "claims_retrieve",
        "GetClaimTimeline": "claims_timeline_list",
        "GetClaimReview": "claims_claimreview_retrieve",
        "ChangeClaimStatus": "claims_status_create",
        "PublishVerdict": "claims_verdicts_create",
    },
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
