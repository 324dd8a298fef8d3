from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from claims import views as claim_views

from . import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="claims:list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("claims/", include("claims.urls")),
    path("sources/", include("sources.urls")),
    path("review/", claim_views.review_queue, name="review"),
    path("review/<int:pk>/accept/", claim_views.suggestion_decide, {"decision": "accept"}, name="suggestion-accept"),
    path("review/<int:pk>/edit/", claim_views.suggestion_edit, name="suggestion-edit"),
    path("review/<int:pk>/reject/", claim_views.suggestion_decide, {"decision": "reject"}, name="suggestion-reject"),
    path("desk/", claim_views.desk, name="desk"),
    path("fact-checks/<int:pk>/", claim_views.fact_check, name="fact-check"),
    path("api/", include("claimtrack.api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]
