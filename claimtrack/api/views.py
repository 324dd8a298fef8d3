from django.contrib.auth.models import AnonymousUser
from rest_framework import viewsets

from partners.authentication import PartnerClient


class APIViewSet(viewsets.GenericViewSet):
    """The base of the API's viewsets."""

    # No OPTIONS (405, and not in Allow): DRF's metadata description is not in the OpenAPI
    # document, which is the API's one description (/api/v1/schema/).
    http_method_names = [name for name in viewsets.GenericViewSet.http_method_names if name != "options"]

    def filter_queryset(self, queryset):
        # Without query parameters every filter is a no-op (none is required): skip building the
        # filter set and its form, a measurable share of a hot request.
        if not self.request.query_params:
            return queryset
        return super().filter_queryset(queryset)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if isinstance(request.user, PartnerClient):
            # A partner is not a user: Django's own request (which the audit history reads) keeps
            # no user, and the audit records the partner key as the actor instead (see
            # partners.authentication).
            request._request.user = AnonymousUser()
