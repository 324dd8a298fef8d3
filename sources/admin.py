"""Admin for the sources domain.

Sources, feeds and documents are added through the same services as the newsroom pages:
get_or_create_source (names unique whatever their case), ingestion.add_feed (the feed is fetched
once to check it and detect its kind) and get_or_create_document (a document is identified by its
canonical URL). A feed's or a document's address is its identity and cannot be changed here;
revisions and feed entries are written by ingestion only. Nothing can be deleted."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from audit.admin import HistoryAdmin
from claimtrack.admin import ReadOnlyAdmin, ServiceAddAdmin, ServiceAddForm

from . import ingestion, services
from .models import Document, DocumentRevision, Feed, FeedEntry, Snapshot, Source


class SourceAddForm(ServiceAddForm):
    class Meta:
        model = Source
        fields = ["name", "kind", "homepage", "country", "language"]

    def create(self, cleaned_data):
        source, created = services.get_or_create_source(**cleaned_data)
        if not created:  # the service hands back the source of that name (any case)
            raise ValidationError({"name": services.name_taken_message(source)})
        return source


class SourceChangeForm(ServiceAddForm):
    """A change, not an add, but the same way: services.update_source validates and saves (as the
    newsroom's edit page does), and its errors are the form's. The kind changes only for those
    holding sources.change_source_kind (may_change_kind, set by SourceAdmin.get_form)."""

    may_change_kind = False

    class Meta:
        model = Source
        fields = ["name", "kind", "homepage", "country", "language"]

    def create(self, cleaned_data):
        fields = {name: cleaned_data.get(name) or "" for name in ("name", "homepage", "country", "language")}
        kind = cleaned_data.get("kind") if self.may_change_kind else None
        return services.update_source(source=self.instance, changed_by=self.acting_user, kind=kind, **fields)


class FeedInline(admin.TabularInline):
    """The source's feeds, to read; a feed is added and edited on the feed's own admin page."""

    model = Feed
    fields = ["url", "kind", "poll_interval", "active", "next_fetch_at", "consecutive_failures", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(ServiceAddAdmin):
    add_form = SourceAddForm
    form = SourceChangeForm
    list_display = ["name", "kind", "country", "language", "homepage"]
    list_filter = ["kind", "country", "language"]
    search_fields = ["name", "homepage"]
    inlines = [FeedInline]
    readonly_fields = ["merged_into"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:  # modelform_factory made this class for this request
            form_class.acting_user = request.user
            form_class.may_change_kind = request.user.has_perm("sources.change_source_kind")
        return form_class

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not request.user.has_perm("sources.change_source_kind"):
            return [*super().get_readonly_fields(request, obj), "kind"]
        return super().get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        # A merged source keeps its row as it was; its survivor is the one to correct.
        return super().has_change_permission(request, obj) and (obj is None or obj.merged_into_id is None)

    def save_model(self, request, obj, form, change):
        pass  # added by get_or_create_source, changed by update_source, both in the form's clean()


class FeedAddForm(ServiceAddForm):
    class Meta:
        model = Feed
        fields = ["source", "url", "poll_interval"]

    def create(self, cleaned_data):
        return ingestion.add_feed(
            url=cleaned_data["url"], source=cleaned_data["source"], poll_interval=cleaned_data["poll_interval"]
        )


@admin.register(Feed)
class FeedAdmin(ServiceAddAdmin):
    add_form = FeedAddForm
    list_display = [
        "url",
        "source",
        "kind",
        "active",
        "is_healthy",
        "last_status",
        "last_fetched_at",
        "next_fetch_at",
        "consecutive_failures",
    ]
    list_filter = ["kind", "active", "last_status", "source__kind"]
    search_fields = ["url", "source__name", "last_error"]
    list_select_related = ["source"]
    # Polling state is written by ingestion; next_fetch_at stays editable ("poll it now").
    readonly_fields = [
        "url",
        "etag",
        "last_modified",
        "last_fetched_at",
        "last_success_at",
        "consecutive_failures",
        "last_error",
        "items_seen",
        "last_status",
        "lease_until",
    ]

    @admin.display(boolean=True, description="healthy")
    def is_healthy(self, feed):
        return feed.is_healthy


class DocumentAddForm(ServiceAddForm):
    class Meta:
        model = Document
        fields = ["source", "url", "kind", "title", "published_at", "language", "author"]

    def create(self, cleaned_data):
        # The service refuses an address that is not http(s) and finds a known one by canonical URL.
        document, created = services.get_or_create_document(**cleaned_data)
        if not created:
            raise ValidationError(
                {"url": _("This address is already known as the document %(url)s.") % {"url": document.canonical_url}}
            )
        return document


class RevisionInline(admin.TabularInline):
    model = DocumentRevision
    fields = ["fetched_at", "title", "content_sha256"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ServiceAddAdmin):
    add_form = DocumentAddForm
    list_display = ["__str__", "source", "kind", "language", "published_at", "first_seen_at"]
    list_filter = ["kind", "language", "source__kind"]
    search_fields = ["title", "canonical_url", "url", "source__name"]
    list_select_related = ["source"]
    # The address is the document's identity and its source who published it (appearances rely on
    # both); the re-check schedule and cache validators are written by ingestion.
    readonly_fields = [
        "source",
        "url",
        "canonical_url",
        "first_seen_at",
        "next_check_at",
        "checks_done",
        "last_checked_at",
        "last_check_error",
        "lease_until",
        "etag",
        "last_modified",
        "snapshot_requested_at",
        "snapshot_error",
    ]
    inlines = [RevisionInline]


@admin.register(DocumentRevision)
class DocumentRevisionAdmin(ReadOnlyAdmin):
    list_display = ["document", "fetched_at", "title", "content_sha256"]
    search_fields = ["title", "document__canonical_url"]
    list_select_related = ["document"]


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    """Read-only: snapshots are written by ingestion and the on-demand fetch only (sources.snapshots)."""

    list_display = ["url", "fetched_at", "status", "content_type", "size", "sha256", "on_demand"]
    list_filter = ["on_demand", "status"]
    search_fields = ["url", "sha256", "payload_sha256", "document__canonical_url"]
    list_select_related = ["document"]


@admin.register(FeedEntry)
class FeedEntryAdmin(ReadOnlyAdmin):
    """Read-only: entries are written by ingestion only."""

    list_display = ["url", "feed", "state", "attempts", "document", "updated_at"]
    list_filter = ["state"]
    search_fields = ["url", "title", "last_error", "feed__url"]
    list_select_related = ["feed", "document"]


# The audit trail of the sources domain, read-only.
for tracked in (Source, Feed, Document):
    admin.site.register(tracked.history.model, HistoryAdmin)
