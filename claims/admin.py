"""Admin for the claims domain. Claims, status changes and verdicts are written through the
newsroom pages (which call claims.services); the admin shows them and edits only safe fields.
Nothing here can be deleted: retraction is the way to withdraw something."""

from django.contrib import admin

from claimtrack.admin import NoDeleteAdmin, ReadOnlyAdmin

from .models import Appearance, Claim, Evidence, StatusChange, StatusProposal, Tag, Verdict


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fields = ["changed_at", "from_status", "to_status", "rationale", "changed_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(NoDeleteAdmin):
    list_display = [
        "text",
        "status",
        "asserts_count",
        "denies_count",
        "reports_count",
        "first_seen_at",
        "last_activity_at",
    ]
    list_filter = ["status", "is_archived", "language", "tags", "first_seen_at"]
    search_fields = ["text", "summary", "slug"]
    readonly_fields = [
        "status",
        "status_changed_at",
        "last_activity_at",
        "asserts_count",
        "denies_count",
        "reports_count",
        "created_by",
        "created_at",
    ]
    date_hierarchy = "first_seen_at"
    inlines = [StatusChangeInline]

    def has_add_permission(self, request):
        # A new claim needs its first StatusChange: log it through the newsroom pages.
        return False


@admin.register(Appearance)
class AppearanceAdmin(NoDeleteAdmin):
    list_display = ["claim", "source", "stance", "seen_at", "origin", "review_state", "retracted_at"]
    list_filter = ["stance", "origin", "review_state", "source__kind", ("retracted_at", admin.EmptyFieldListFilter)]
    search_fields = ["quote", "source__name", "claim__text", "document__canonical_url"]
    list_select_related = ["claim", "source"]
    raw_id_fields = ["claim", "source", "document"]
    readonly_fields = [
        "recorded_by",
        "recorded_at",
        "reviewed_by",
        "reviewed_at",
        "retracted_at",
        "retracted_by",
        "retraction_reason",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["claim", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status", "changed_at"]
    search_fields = ["rationale", "claim__text"]
    list_select_related = ["claim", "changed_by"]


@admin.register(Verdict)
class VerdictAdmin(ReadOnlyAdmin):
    list_display = ["claim", "rating_name", "rating_value", "author", "published_at"]
    list_filter = ["rating_name", "published_at"]
    search_fields = ["claim__text", "summary"]
    list_select_related = ["claim", "author"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "claim", "content_type", "size", "sha256", "uploaded_at", "retracted_at"]
    list_filter = ["content_type", ("retracted_at", admin.EmptyFieldListFilter)]
    search_fields = ["caption", "sha256", "original_name"]


@admin.register(Tag)
class TagAdmin(NoDeleteAdmin):
    search_fields = ["name"]


@admin.register(StatusProposal)
class StatusProposalAdmin(ReadOnlyAdmin):
    list_display = ["claim", "from_status", "to_status", "proposed_by", "proposed_at", "state", "decided_by"]
    list_filter = ["state", "to_status"]
    search_fields = ["rationale", "claim__text"]
    list_select_related = ["claim", "proposed_by", "decided_by"]
