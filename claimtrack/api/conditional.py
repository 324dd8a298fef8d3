"""ETag and 304 Not Modified for detail endpoints.

The ETag is a hash of the rendered JSON (Django's ConditionalGetMiddleware, applied to one view
method): always right, whatever changed. A 304 saves the partner the transfer, not us the queries.
"""

from django.middleware.http import ConditionalGetMiddleware
from django.utils.decorators import decorator_from_middleware, method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

conditional_get = decorator_from_middleware(ConditionalGetMiddleware)

# The request header that makes an operation conditional in the OpenAPI document; the schema hook
# claimtrack.api.schema.document_conditional_get adds the 304 and the ETag header to such operations.
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="The ETag of the copy you have: if it is still current the answer is 304 with no body.",
)


def with_etag(method_name: str = "retrieve"):
    """Class decorator for a view: its `method_name` responses carry an ETag and answer 304."""

    def decorate(view_class):
        view_class = method_decorator(conditional_get, name=method_name)(view_class)
        return extend_schema_view(**{method_name: extend_schema(parameters=[IF_NONE_MATCH])})(view_class)

    return decorate
