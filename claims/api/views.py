"""Claims endpoints of the partner API. Thin: parse, call one selector or service, serialize."""

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from claims import selectors, services
from claims.claimreview import claimreview_jsonld, claimreview_url
from claims.models import Appearance, Claim, ClaimStatus, Stance, StatusChange
from claimtrack.api.conditional import with_etag
from claimtrack.api.fields import include_retracted
from claimtrack.api.filters import ID_PATTERN, IdFilter, LanguageFilter, SinceFilter
from claimtrack.api.pagination import AscendingCursorPagination
from claimtrack.api.permissions import CanReadOrSubmit, IsEditorSession, api_client
from claimtrack.api.views import APIViewSet
from claimtrack.lib.submissions import TOKEN_MAX_LENGTH, submission_key
from sources.api.serializers import DocumentSerializer
from sources.models import Document, Source

from . import serializers as s

INCLUDE_RETRACTED = OpenApiParameter(
    "include_retracted", OpenApiTypes.BOOL, description="Also return retracted appearances, marked retracted."
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": TOKEN_MAX_LENGTH},
    location=OpenApiParameter.HEADER,
    description=(
        "A value of your choice, new for each item you create (e.g. a UUID), printable ASCII. Send the "
        "request again with the same value (after a timeout, say) and nothing new is created: the answer "
        "is 200 with the item the first request created (the body is not compared). Keys are yours alone."
    ),
)


# Documented on the claim's own GET addresses; claimtrack.api.schema.document_redirects adds the
# Location header to every 301 of the document.
MERGED_REDIRECT = OpenApiResponse(
    description=(
        "The claim was merged into another (a duplicate): `Location` is the same address for the claim "
        "that now stands for both (query string kept). Follow it; the `claim.merged` webhook says so too."
    )
)


def _merged_redirect(request, survivor_id: int, route: str) -> Response:
    """301 to the same endpoint of the claim that absorbed the requested one, query string kept."""
    url = request.build_absolute_uri(reverse(route, args=[survivor_id]))
    query = request.META.get("QUERY_STRING", "")
    return Response(status=status.HTTP_301_MOVED_PERMANENTLY, headers={"Location": f"{url}?{query}" if query else url})


def _created_once(create, **arguments):
    """(item, 201) from a create service; (the first item, 200) when its Idempotency-Key was used before."""
    try:
        return create(**arguments), 201
    except services.AlreadySubmitted as repeat:
        return repeat.existing, 200


def _idempotency_key(request) -> str | None:
    """The stored key for the request's Idempotency-Key header, scoped to who sends it."""
    token = request.headers.get("Idempotency-Key")
    if token is None:
        return None
    if not 0 < len(token) <= TOKEN_MAX_LENGTH or not (token.isascii() and token.isprintable()):
        raise exceptions.ValidationError(
            {"Idempotency-Key": [f"Send 1 to {TOKEN_MAX_LENGTH} printable ASCII characters."]}
        )
    client = api_client(request)
    return submission_key(f"partner:{client.partner.pk}" if client else f"user:{request.user.pk}", token)


CLAIMREVIEW_SCHEMA = {
    "type": "object",
    "description": "schema.org ClaimReview (JSON-LD).",
    "required": [
        "@context",
        "@type",
        "url",
        "claimReviewed",
        "datePublished",
        "author",
        "reviewRating",
        "itemReviewed",
    ],
    "properties": {
        "@context": {"type": "string", "example": "https://schema.org"},
        "@type": {"type": "string", "example": "ClaimReview"},
        "url": {"type": "string", "format": "uri"},
        "claimReviewed": {"type": "string"},
        "datePublished": {"type": "string", "format": "date-time"},
        "inLanguage": {"type": "string"},
        "reviewBody": {"type": "string"},
        "author": {"type": "object", "additionalProperties": True},
        "reviewRating": {
            "type": "object",
            "required": ["@type", "ratingValue", "bestRating", "worstRating", "alternateName"],
            "properties": {
                "@type": {"type": "string", "example": "Rating"},
                "ratingValue": {"type": "integer"},
                "bestRating": {"type": "integer"},
                "worstRating": {"type": "integer"},
                "alternateName": {"type": "string", "example": "Unproven"},
            },
        },
        "itemReviewed": {"type": "object", "additionalProperties": True},
    },
}


def claimreview_for(claim: Claim, request) -> dict:
    return claimreview_jsonld(
        claim=claim,
        verdict=selectors.current_verdict(claim),
        appearances=claim.published_appearances,
        claim_url=claimreview_url(claim, request),
    )


class CanReadOrSubmitClaims(CanReadOrSubmit):
    add_permission = "claims.add_claim"


class CanReadOrSubmitAppearances(CanReadOrSubmit):
    add_permission = "claims.add_appearance"


class MayChangeStatus(IsEditorSession):
    perm = "claims.change_claim_status"


class MayPublishVerdict(IsEditorSession):
    perm = "claims.publish_verdict"


class ClaimFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ClaimStatus.choices)
    q = filters.CharFilter(
        method="search",
        help_text="Words in the claim's text, summary or wordings (any language). Arabic script is normalised "
        "(alef and hamza forms, taa marbuta, diacritics, digits) and attached prefixes (و ف ب ل ك ال) are "
        "ignored, as in the newsroom's search.",
    )
    tag = filters.CharFilter(field_name="tags__name", help_text="A tag name.")
    source = IdFilter(method="with_source", help_text="Claims a source (by id) spoke to.")
    updated_since = SinceFilter(
        field_name="last_activity_at",
        lookup_expr="gte",
        help_text="Claims with any event at or after this time, an edit of the claim's text or other fields included.",
    )
    language = LanguageFilter(
        help_text="Claims in this language, a BCP 47 tag matched exactly (ar, ckb, en, fa, ku, tr): the one a "
        "journalist gave, or the one detected from the claim's text when none was given (Sorani Kurdish is ckb, "
        "Latin-script Kurmanji ku)."
    )

    class Meta:
        model = Claim
        fields = ["status", "q", "tag", "source", "updated_since", "language"]

    def search(self, queryset, name, value):
        return selectors.search_claims(queryset, value)

    def with_source(self, queryset, name, value):
        spoken = selectors.published_appearances().filter(claim=OuterRef("pk"), source_id=value)
        return queryset.filter(Exists(spoken))


@extend_schema_view(
    list=extend_schema(summary="List claims, newest first", tags=["claims"]),
    retrieve=extend_schema(
        summary="A claim with its appearances, status history and current verdict",
        tags=["claims"],
        parameters=[INCLUDE_RETRACTED],
        responses={200: s.ClaimDetailSerializer, 301: MERGED_REDIRECT},
    ),
    create=extend_schema(
        summary="Submit a claim (write key)",
        tags=["claims"],
        request=s.ClaimCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.ClaimDetailSerializer, 200: s.ClaimDetailSerializer},
        examples=[
            OpenApiExample(
                "A claim seen on social media",
                request_only=True,
                value={
                    "text": "The dam upstream of Mosul has been breached.",
                    "tags": ["mosul", "infrastructure"],
                    "places": ["Mosul"],
                    "language": "en",
                },
            )
        ],
    ),
)
@with_etag("retrieve")
@with_etag("timeline")
@with_etag("claimreview")
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    """Claims this newsroom tracks."""

    lookup_value_regex = ID_PATTERN

    filterset_class = ClaimFilter
    permission_classes = [CanReadOrSubmitClaims]

    def get_queryset(self):
        # retrieve() reads its row itself (selectors.published_claim_detail_row); the schema needs the model.
        if self.action in {"retrieve", "timeline", "claimreview", "change_status", "publish_verdict"}:
            return Claim.objects.all()
        return selectors.published_claim_rows()

    def get_serializer_class(self):
        return s.ClaimDetailSerializer if self.action == "retrieve" else s.ClaimSerializer

    def get_permissions(self):
        if self.action == "change_status":
            return [MayChangeStatus()]
        if self.action == "publish_verdict":
            return [MayPublishVerdict()]
        return super().get_permissions()

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        urls = s.ClaimURLs(request)
        return self.get_paginated_response([s.claim_data(row, urls) for row in selectors.with_tags_and_verdicts(page)])

    def retrieve(self, request, pk=None):
        # A row, not a model instance: the same output as ClaimDetailSerializer over
        # published_claim_detail(), from four plain queries (the detail is a hot path). The list's
        # filters do not apply to a claim asked for by id.
        row = selectors.published_claim_detail_row(int(pk), include_retracted=include_retracted(request))
        if row is None:
            raise Http404("No Claim matches the given query.")
        if row["merged_into_id"] is not None:
            return _merged_redirect(request, selectors.final_survivor_id(row["id"]), "api:claim-detail")
        return Response(s.claim_detail_data(row, s.ClaimURLs(request)))

    def create(self, request):
        data = _validated(s.ClaimCreateSerializer, request)
        client = api_client(request)
        claim, status_code = _created_once(
            services.create_claim,
            text=data["text"],
            summary=data["summary"],
            tags=data["tags"],
            places=data["places"],
            language=data["language"],
            first_seen_at=data["first_seen_at"],
            created_by=None if client else request.user,
            submitted_by_partner=client.partner if client else None,
            submission_key=_idempotency_key(request),
        )
        claim = selectors.published_claim_detail().get(pk=claim.pk)
        return Response(s.ClaimDetailSerializer(claim, context={"request": request}).data, status=status_code)

    @extend_schema(
        summary="The claim's timeline: appearances, status changes, verdicts, document rewrites",
        tags=["claims"],
        parameters=[INCLUDE_RETRACTED],
        responses={200: s.TimelineEventSerializer(many=True), 301: MERGED_REDIRECT},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        claim = self.get_object()
        if claim.merged_into_id is not None:
            return _merged_redirect(request, selectors.final_survivor_id(claim.pk), "api:claim-timeline")
        events = selectors.claim_timeline(claim, include_pending=False, include_retracted=include_retracted(request))
        return Response([s.TimelineEventSerializer().to_representation(event) for event in events])

    @extend_schema(
        summary="The claim's published verdict as schema.org ClaimReview JSON-LD",
        tags=["claimreview"],
        responses={200: CLAIMREVIEW_SCHEMA, 301: MERGED_REDIRECT},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def claimreview(self, request, pk=None):
        claim = self.get_object()
        if claim.merged_into_id is not None:
            return _merged_redirect(request, selectors.final_survivor_id(claim.pk), "api:claim-claimreview")
        claim = get_object_or_404(selectors.published_claimreviews(), pk=claim.pk)
        return Response(claimreview_for(claim, request))

    @extend_schema(
        summary="Change the claim's status (editor session)",
        tags=["editorial"],
        request=s.StatusChangeCreateSerializer,
        responses={201: s.StatusChangeSerializer},
    )
    @action(detail=True, methods=["post"], url_path="status", pagination_class=None, filter_backends=[])
    def change_status(self, request, pk=None):
        claim = self.get_object()
        data = _validated(s.StatusChangeCreateSerializer, request)
        try:
            change = services.change_status(
                claim=claim,
                to_status=data["to_status"],
                rationale=data["rationale"],
                expected_status=data["expected_status"],
                changed_by=request.user,
            )
        except services.StatusConflict as conflict:
            raise Conflict(" ".join(conflict.messages)) from None
        return Response(s.StatusChangeSerializer().to_representation(change), status=201)

    @extend_schema(
        summary="Publish a verdict on the claim (editor session)",
        tags=["editorial"],
        request=s.VerdictCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.VerdictSerializer, 200: s.VerdictSerializer},
    )
    @action(detail=True, methods=["post"], url_path="verdicts", pagination_class=None, filter_backends=[])
    def publish_verdict(self, request, pk=None):
        claim = self.get_object()
        data = _validated(s.VerdictCreateSerializer, request)
        verdict, status_code = _created_once(
            services.publish_verdict,
            claim=claim,
            rating_name=data["rating"],
            summary=data["summary"],
            author=request.user,
            submission_key=_idempotency_key(request),
        )
        return Response(s.VerdictSerializer().to_representation(verdict), status=status_code)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The item changed meanwhile."
    default_code = "conflict"


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(
        summary="Every published ClaimReview, for bulk consumers",
        tags=["claimreview"],
        # drf-spectacular wraps the item schema in the paginated envelope itself.
        responses={200: CLAIMREVIEW_SCHEMA},
    )
)
class ClaimReviewViewSet(mixins.ListModelMixin, APIViewSet):
    """All claims with a published verdict, each as its ClaimReview JSON-LD."""

    lookup_value_regex = ID_PATTERN

    filter_backends = []

    def get_queryset(self):
        return selectors.published_claimreviews()

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([claimreview_for(claim, request) for claim in page])


class AppearanceFilter(filters.FilterSet):
    claim = IdFilter(field_name="claim_id")
    source = IdFilter(field_name="source_id")
    stance = filters.ChoiceFilter(choices=Stance.choices)
    seen_since = SinceFilter(field_name="seen_at", lookup_expr="gte")

    class Meta:
        model = Appearance
        fields = ["claim", "source", "stance", "seen_since"]


@extend_schema_view(
    list=extend_schema(
        summary="List published appearances, newest first", tags=["appearances"], parameters=[INCLUDE_RETRACTED]
    ),
    create=extend_schema(
        summary="Submit an appearance (write key; reviewed by a journalist before it is published)",
        tags=["appearances"],
        request=s.AppearanceCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.AppearanceSerializer, 200: s.AppearanceSerializer},
        examples=[
            OpenApiExample(
                "A broadcaster asserting a claim",
                request_only=True,
                value={
                    "claim": 1,
                    "source": 1,
                    "stance": "asserts",
                    "quote": "Police have left the city.",
                    "document_url": "https://news.example.org/2024/05/police-left",
                },
            )
        ],
    ),
)
class AppearanceViewSet(mixins.ListModelMixin, APIViewSet):
    """A source speaking to a claim, with a stance."""

    lookup_value_regex = ID_PATTERN

    serializer_class = s.AppearanceSerializer
    filterset_class = AppearanceFilter
    permission_classes = [CanReadOrSubmitAppearances]

    def get_queryset(self):
        # Not the duplicates a merge left on the absorbed claim (the survivor has its own of them).
        appearances = selectors.published_appearances(include_retracted=include_retracted(self.request))
        return appearances.filter(claim__merged_into__isnull=True)

    def create(self, request):
        data = _validated(s.AppearanceCreateSerializer, request)
        claim = Claim.objects.filter(pk=data["claim"]).first()
        source = Source.objects.filter(pk=data["source"]).first()
        missing = {}
        if claim is None:
            missing["claim"] = ["No claim with this id."]
        if source is None:
            missing["source"] = ["No source with this id."]
        if missing:
            raise exceptions.ValidationError(missing)
        client = api_client(request)
        appearance, status_code = _created_once(
            services.record_appearance_with_source,
            claim=claim,
            source=source,
            document_url=data.get("document_url", ""),
            document_title=data["document_title"],
            stance=data["stance"],
            quote=data["quote"],
            seen_at=data["seen_at"],
            recorded_by=None if client else request.user,
            origin=Appearance.Origin.PARTNER if client else Appearance.Origin.MANUAL,
            # A partner's submission waits for a journalist, like a machine suggestion.
            review_state=Appearance.ReviewState.PENDING if client else None,
            submitted_by_partner=client.partner if client else None,
            submission_key=_idempotency_key(request),
        )
        return Response(s.AppearanceSerializer().to_representation(appearance), status=status_code)


class StatusChangeFilter(filters.FilterSet):
    since = SinceFilter(field_name="changed_at", lookup_expr="gte", help_text="Changes at or after this time.")
    claim = IdFilter(field_name="claim_id")

    class Meta:
        model = StatusChange
        fields = ["since", "claim"]


@extend_schema_view(
    list=extend_schema(summary="Feed of status changes, oldest first, for incremental sync", tags=["claims"])
)
class StatusChangeViewSet(mixins.ListModelMixin, APIViewSet):
    """Every status change, in the order they were recorded: follow `next` to stay in sync."""

    lookup_value_regex = ID_PATTERN

    serializer_class = s.StatusChangeSerializer
    filterset_class = StatusChangeFilter
    pagination_class = AscendingCursorPagination

    def get_queryset(self):
        return StatusChange.objects.all()


# Documents are published by claims: the API lists those that a published appearance cites.


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
        cited = selectors.published_appearances().filter(document=OuterRef("pk"))
        return Document.objects.filter(Exists(cited))
