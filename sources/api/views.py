from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from claimtrack.api.conditional import with_etag
from claimtrack.api.filters import ID_PATTERN
from claimtrack.api.views import APIViewSet
from sources import selectors
from sources.models import Source

from .serializers import SourceSerializer


class SourceFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Source.Kind.choices)
    country = filters.CharFilter(help_text="ISO 3166-1 alpha-2 code")

    class Meta:
        model = Source
        fields = ["kind", "country"]


@extend_schema_view(
    list=extend_schema(summary="List sources", tags=["sources"]),
    retrieve=extend_schema(summary="A source", tags=["sources"]),
)
@with_etag()
class SourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    """Who speaks: news outlets, official bodies, social media accounts, people, organisations."""

    lookup_value_regex = ID_PATTERN

    serializer_class = SourceSerializer
    filterset_class = SourceFilter

    def get_queryset(self):
        return selectors.source_list()
