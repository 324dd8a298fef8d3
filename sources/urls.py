from django.urls import path

from . import views

app_name = "sources"
urlpatterns = [
    path("search/", views.source_search, name="source-search"),
    path("<int:pk>/edit/", views.source_edit, name="source-edit"),
    path("documents/lookup/", views.document_lookup, name="document-lookup"),
    path("feeds/health/", views.feed_health, name="feed-health"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path("documents/<int:pk>/snapshot/", views.document_snapshot_request, name="document-snapshot-request"),
    path("snapshots/<int:pk>/text/", views.snapshot_text, name="snapshot-text"),
    path("snapshots/<int:pk>/sanitised/", views.snapshot_html, name="snapshot-html"),
    path("snapshots/<int:pk>/record.warc.gz", views.snapshot_warc, name="snapshot-warc"),
]
