from django.db.models import Exists, OuterRef
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from claims import selectors as claim_selectors
from claimtrack.api.conditional import with_etag
from claimtrack.api.filters import ID_PATTERN, IdFilter, SinceFilter
from claimtrack.api.views import APIViewSet
from sources import selectors
from sources.models import Document, Source

from .serializers import DocumentSerializer, SourceSerializer


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


class DocumentFilter(filters.FilterSet):
    source = IdFilter(field_name="source_id")
    kind = filters.ChoiceFilter(choices=Document.Kind.choices)
    seen_since = SinceFilter(field_name="first_seen_at", lookup_expr="gte")

    class Meta:
        model = Document
        fields = ["source", "kind", "seen_since"]


@extend_schema_view(
    list=extend_schema(summary="List documents that published appearances cite", tags=["sources"]),
    retrieve=extend_schema(summary="A document", tags=["sources"]),
)
@with_etag()
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    """Articles, statements and posts that at least one published appearance cites (documents only
    ingestion has seen are not published)."""

    lookup_value_regex = ID_PATTERN

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter

    def get_queryset(self):
        cited = claim_selectors.published_appearances().filter(document=OuterRef("pk"))
        return Document.objects.filter(Exists(cited))
