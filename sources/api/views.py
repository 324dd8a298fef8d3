from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.response import Response
from rest_framework.reverse import reverse

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


MERGED_LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    location=OpenApiParameter.HEADER,
    response=[301],
    required=True,
    description="The API address of the source this one was merged into.",
)


@extend_schema_view(
    list=extend_schema(
        summary="List sources", description="Sources merged into another are not listed.", tags=["sources"]
    ),
    retrieve=extend_schema(
        summary="A source",
        tags=["sources"],
        parameters=[MERGED_LOCATION],
        responses={
            200: SourceSerializer,
            301: OpenApiResponse(
                description="The source was merged into another as a duplicate: `Location` is that source's address."
            ),
        },
    ),
)
@with_etag()
class SourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    """Who speaks: news outlets, official bodies, social media accounts, people, organisations."""

    lookup_value_regex = ID_PATTERN

    serializer_class = SourceSerializer
    filterset_class = SourceFilter

    def get_queryset(self):
        return selectors.current_sources()

    def retrieve(self, request, *args, **kwargs):
        source = get_object_or_404(selectors.source_list(), pk=kwargs["pk"])
        if source.merged_into_id is not None:
            location = reverse("api:source-detail", args=[source.merged_into_id], request=request)
            return HttpResponsePermanentRedirect(location)
        return Response(self.get_serializer(source).data)
