"""/api/: version 1 of the partner API, its OpenAPI schema and its documentation page. The router
lives in partners, the layer above the domains whose endpoints it publishes (claims, sources)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from claims.api.views import (
    AppearanceViewSet,
    ClaimReviewViewSet,
    ClaimViewSet,
    DocumentViewSet,
    StatusChangeViewSet,
)
from sources.api.views import SourceViewSet

from .views import WebhookViewSet

router = SimpleRouter()
router.register("claims", ClaimViewSet, basename="claim")
router.register("claimreviews", ClaimReviewViewSet, basename="claimreview")
router.register("appearances", AppearanceViewSet, basename="appearance")
router.register("status-changes", StatusChangeViewSet, basename="statuschange")
router.register("sources", SourceViewSet, basename="source")
router.register("documents", DocumentViewSet, basename="document")
router.register("webhooks", WebhookViewSet, basename="webhook")

# Swagger UI's start-up script is served separately (the "split" view): the page needs no
# inline script. Its files come from drf-spectacular-sidecar's static files.
swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="api:schema")

app_name = "api"
urlpatterns = [
    path("v1/schema/", SpectacularAPIView.as_view(api_version="1"), name="schema"),
    path("docs/", swagger_ui, name="docs"),
    path("v1/", include(router.urls)),
]
