from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from claimtrack.api.conditional import with_etag
from claimtrack.api.filters import ID_PATTERN
from claimtrack.api.views import APIViewSet
from partners import selectors, services
from partners.models import Webhook
from partners.permissions import IsPartner, partner_key

from .serializers import NewWebhookSerializer, WebhookDeliverySerializer, WebhookSerializer


@extend_schema_view(
    list=extend_schema(summary="Your webhooks", tags=["webhooks"]),
    retrieve=extend_schema(summary="A webhook", tags=["webhooks"]),
    create=extend_schema(
        summary="Register a webhook; the response holds its signing secret, shown only once",
        tags=["webhooks"],
        request=WebhookSerializer,
        responses={201: NewWebhookSerializer},
        examples=[
            OpenApiExample("Receiver", request_only=True, value={"url": "https://partner.example.org/hooks/claimtrack"})
        ],
    ),
    destroy=extend_schema(summary="Deactivate a webhook (its delivery log is kept)", tags=["webhooks"]),
)
@with_etag()
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    APIViewSet,
):
    """Signed POSTs on status changes and verdict publications (see the API description)."""

    lookup_value_regex = ID_PATTERN

    permission_classes = [IsPartner]
    serializer_class = WebhookSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no partner
            return Webhook.objects.none()
        return selectors.partner_webhooks(partner_key(self.request).partner)

    def create(self, request):
        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = services.register_webhook(partner=partner_key(request).partner, url=serializer.validated_data["url"])
        return Response(NewWebhookSerializer().to_representation(webhook), status=201)

    def perform_destroy(self, webhook):
        services.deactivate_webhook(webhook=webhook)

    @extend_schema(
        summary="Every delivery of this webhook, with each attempt",
        tags=["webhooks"],
        responses=WebhookDeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        page = self.paginate_queryset(selectors.webhook_deliveries(self.get_object()))
        return self.get_paginated_response([WebhookDeliverySerializer().to_representation(d) for d in page])
