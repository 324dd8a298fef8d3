"""ETag and 304 Not Modified for detail endpoints.

The ETag is a hash of the rendered JSON (Django's ConditionalGetMiddleware, applied to one view
method): always right, whatever changed. A 304 saves the partner the transfer, not us the queries.
"""

from django.middleware.http import ConditionalGetMiddleware
from django.utils.decorators import decorator_from_middleware, method_decorator

conditional_get = decorator_from_middleware(ConditionalGetMiddleware)


def with_etag(method_name: str = "retrieve"):
    """Class decorator for a view: its `method_name` responses carry an ETag and answer 304."""
    return method_decorator(conditional_get, name=method_name)
