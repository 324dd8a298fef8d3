"""/api/: version 1 of the partner API, its OpenAPI schema and its documentation page."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from claims.api.views import AppearanceViewSet, ClaimReviewViewSet, ClaimViewSet, StatusChangeViewSet
from partners.api.views import WebhookViewSet
from sources.api.views import DocumentViewSet, SourceViewSet

router = SimpleRouter()
router.register("claims", ClaimViewSet, basename="claim")
router.register("claimreviews", ClaimReviewViewSet, basename="claimreview")
router.register("appearances", AppearanceViewSet, basename="appearance")
router.register("status-changes", StatusChangeViewSet, basename="statuschange")
router.register("sources", SourceViewSet, basename="source")
router.register("documents", DocumentViewSet, basename="document")
router.register("webhooks", WebhookViewSet, basename="webhook")

# Swagger UI comes from a CDN at a pinned version (settings.SPECTACULAR_SETTINGS); its start-up
# script is served separately (the "split" view) so the page needs no inline script.
SWAGGER_CDN = "https://cdn.jsdelivr.net"
swagger_ui = csp_update({"script-src": [SWAGGER_CDN], "style-src": [SWAGGER_CDN], "img-src": [SWAGGER_CDN]})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema")
)

app_name = "api"
urlpatterns = [
    path("v1/schema/", SpectacularAPIView.as_view(api_version="1"), name="schema"),
    path("docs/", swagger_ui, name="docs"),
    path("v1/", include(router.urls)),
]
