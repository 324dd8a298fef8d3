from django.contrib import admin

from claimtrack.admin import NoDeleteAdmin, ReadOnlyAdmin

from .models import Document, DocumentRevision, Feed, Source


class FeedInline(admin.TabularInline):
    model = Feed
    fields = ["url", "kind", "poll_interval", "active", "next_fetch_at", "consecutive_failures", "last_error"]
    readonly_fields = ["next_fetch_at", "consecutive_failures", "last_error"]
    extra = 0
    can_delete = False


@admin.register(Source)
class SourceAdmin(NoDeleteAdmin):
    list_display = ["name", "kind", "country", "language", "homepage"]
    list_filter = ["kind", "country", "language"]
    search_fields = ["name", "homepage"]
    inlines = [FeedInline]


@admin.register(Feed)
class FeedAdmin(NoDeleteAdmin):
    list_display = [
        "url",
        "source",
        "kind",
        "active",
        "is_healthy",
        "last_fetched_at",
        "next_fetch_at",
        "consecutive_failures",
    ]
    list_filter = ["kind", "active", "source__kind"]
    search_fields = ["url", "source__name", "last_error"]
    list_select_related = ["source"]
    readonly_fields = [
        "etag",
        "last_modified",
        "last_fetched_at",
        "last_success_at",
        "consecutive_failures",
        "last_error",
        "items_seen",
    ]

    @admin.display(boolean=True, description="healthy")
    def is_healthy(self, feed):
        return feed.is_healthy


class RevisionInline(admin.TabularInline):
    model = DocumentRevision
    fields = ["fetched_at", "title", "content_sha256"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(NoDeleteAdmin):
    list_display = ["__str__", "source", "kind", "language", "published_at", "first_seen_at"]
    list_filter = ["kind", "language", "source__kind"]
    search_fields = ["title", "canonical_url", "url", "source__name"]
    list_select_related = ["source"]
    readonly_fields = ["canonical_url", "first_seen_at", "next_check_at", "checks_done"]
    inlines = [RevisionInline]


@admin.register(DocumentRevision)
class DocumentRevisionAdmin(ReadOnlyAdmin):
    list_display = ["document", "fetched_at", "title", "content_sha256"]
    search_fields = ["title", "document__canonical_url"]
    list_select_related = ["document"]
