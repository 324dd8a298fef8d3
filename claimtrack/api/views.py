from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from rest_framework import viewsets


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
        if not isinstance(request.user, AbstractBaseUser | AnonymousUser):
            # DRF puts whatever authenticated the request on Django's request too (Request.user's
            # setter, right after authenticate() returns, so an authentication class cannot undo
            # it). Django's request, which the audit history reads, carries only a Django user: a
            # principal that is not one (a partner's API key) is named in the audit context by
            # its authentication instead (audit.context.name_actor).
            request._request.user = AnonymousUser()
