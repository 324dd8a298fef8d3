from django.urls import path

from . import views

app_name = "sources"
urlpatterns = [
    path("<int:pk>/", views.source_detail, name="detail"),
    path("documents/lookup/", views.document_lookup, name="document-lookup"),
    path("<int:pk>/feeds/add/", views.add_feed, name="add_feed"),
    path("feeds/health/", views.feed_health, name="feed_health"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
]
