from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from rest_framework import viewsets


class APIViewSet(viewsets.GenericViewSet):
    """The base of the API's viewsets."""

    # No OPTIONS (405, and not in Allow): DRF's metadata description is not in the OpenAPI
    # document, which is the API's one description (/api/v1/schema/).
    http_method_names = [name for name in viewsets.GenericViewSet.http_method_names if name != "options"]

    def filter_queryset(self, queryset):
        # Without filter parameters every filter is a no-op (none is required): skip building the
        # filter set and its form, a measurable share of a hot request. The pagination's own
        # parameters (a `next` link's cursor, page_size) are no filter: without this, every page
        # after the first paid for the filter set.
        if not self.request.query_params.keys() - self._pagination_parameters():
            return queryset
        return super().filter_queryset(queryset)

    def _pagination_parameters(self) -> set[str]:
        paginator = self.paginator
        if paginator is None:
            return set()
        names = (getattr(paginator, name, None) for name in ("cursor_query_param", "page_size_query_param"))
        return {name for name in names if name}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not isinstance(request.user, AbstractBaseUser | AnonymousUser):
            # DRF puts whatever authenticated the request on Django's request too (Request.user's
            # setter, right after authenticate() returns, so an authentication class cannot undo
            # it). Django's request, which the audit history reads, carries only a Django user: a
            # principal that is not one (a partner's API key) is named in the audit context by
            # its authentication instead (audit.context.name_actor).
            request._request.user = AnonymousUser()
