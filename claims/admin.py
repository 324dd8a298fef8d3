"""Admin for the claims domain.

Claims, appearances, status changes, verdicts, evidence and proposals are written through the
newsroom pages and the API, which call claims.services; so does the admin. It adds a claim through
services.create_claim (which logs its first StatusChange) and edits a claim's text, summary, tags,
places, language and first-seen time through services.update_claim (a ClaimEdit on the timeline);
otherwise it edits only a claim's slug and archived flag, and an appearance's quote and time. Appearances and evidence are retracted by an
action calling services.retract_appearance / retract_evidence. Everything else is read-only here,
and nothing can be deleted: retraction is the way to withdraw something."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit.admin import HistoryAdmin
from claimtrack.admin import NoDeleteAdmin, ReadOnlyAdmin, ServiceAddAdmin, ServiceAddForm, add_service_errors
from claimtrack.lib.submissions import submission_key

from . import services
from .forms import SubmissionTokenField, split_list
from .models import (
    Appearance,
    Assignment,
    Claim,
    Evidence,
    Note,
    StatusChange,
    StatusProposal,
    Tag,
    Verdict,
    validate_place_names,
)
from .permissions import may_retract


class PlaceListField(forms.CharField):
    """A claim's places as text, one place name per line; cleans to a list of names held to the
    one rule of every path (models.validate_place_names), so nothing else is stored."""

    widget = forms.Textarea(attrs={"rows": 3, "dir": "auto"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("One place name per line."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):  # the stored list; a bound form shows the submitted text
            return "\n".join(str(place) for place in value)
        return "" if value is None else str(value)

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def validate(self, value):
        super().validate(value)
        validate_place_names(value)


class ClaimAddForm(ServiceAddForm):
    """Logs the claim through services.create_claim, so it gets its first StatusChange. Saved
    twice (a double click on Save), the second is refused as already saved."""

    places = PlaceListField(label=_("Places"))
    tag_names = forms.CharField(label=_("Tags"), required=False, max_length=500, help_text=_("Separate with commas"))
    submission_token = SubmissionTokenField()

    class Meta:
        model = Claim
        fields = ["text", "summary", "places", "language", "first_seen_at"]

    def create(self, cleaned_data):
        return services.create_claim(
            text=cleaned_data["text"],
            summary=cleaned_data["summary"],
            tags=split_list(cleaned_data["tag_names"]),
            places=cleaned_data["places"],
            language=cleaned_data["language"],
            first_seen_at=cleaned_data["first_seen_at"],
            created_by=self.acting_user,
            submission_key=submission_key(f"user:{self.acting_user.pk}", cleaned_data.get("submission_token")),
        )


class ClaimChangeForm(forms.ModelForm):
    """The claim's own fields are edited through services.update_claim, as on the newsroom's edit
    page (a ClaimEdit row, the timeline's "reworded" event, the lock): it runs once the model's
    own checks pass, and its refusal is a form error. Only the slug and the archived flag are
    saved by the admin itself (ClaimAdmin.save_model)."""

    places = PlaceListField(label=_("Places"))
    tag_names = forms.CharField(label=_("Tags"), required=False, max_length=500, help_text=_("Separate with commas"))

    acting_user = None  # set by ClaimAdmin.get_form for the request's user

    class Meta:
        model = Claim
        fields = ["text", "slug", "summary", "places", "language", "first_seen_at", "is_archived"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["tag_names"] = ", ".join(tag.name for tag in self.instance.tags.all())

    def _post_clean(self):
        super()._post_clean()  # the model's own validation (the slug's uniqueness among others)
        if self.errors or self.instance.pk is None:
            return
        changed = set(self.changed_data) - {"first_seen_at"}
        # The form shows first seen to the second: the same second sent back is no change.
        first_seen, shown = self.cleaned_data.get("first_seen_at"), self.initial.get("first_seen_at")
        if first_seen is not None and (shown is None or first_seen != shown.replace(microsecond=0)):
            changed.add("first_seen_at")
        edited = {field: self.cleaned_data[field] for field in services.EDITABLE_CLAIM_FIELDS if field in changed}
        if "tag_names" in changed:
            edited["tags"] = split_list(self.cleaned_data["tag_names"])
        try:
            services.update_claim(claim_id=self.instance.pk, edited_by=self.acting_user, **edited)
        except ValidationError as error:
            add_service_errors(self, error)


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
class ClaimAdmin(ServiceAddAdmin):
    add_form = ClaimAddForm
    form = ClaimChangeForm
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
    # The status is changed only by services.change_status (the newsroom's status form); the
    # counts are recomputed from the appearances; who logged the claim is its provenance.
    readonly_fields = [
        "status",
        "status_changed_at",
        "last_activity_at",
        "asserts_count",
        "denies_count",
        "reports_count",
        "created_by",
        "submitted_by_partner",
        "created_at",
    ]
    date_hierarchy = "first_seen_at"
    inlines = [StatusChangeInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            form_class.acting_user = request.user  # modelform_factory made this class for this request
        return form_class

    def save_model(self, request, obj, form, change):
        if change:  # the claim's own fields were saved by services.update_claim in the form
            obj.save(update_fields=["slug", "is_archived"])
        else:
            super().save_model(request, obj, form, change)


class RetractionActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason (for retracting)"), required=False, max_length=2000)


def _retract_each(request, queryset, retract) -> None:
    """Retract each selected row through its service, which refuses a missing reason or a second
    retraction, and only where claims.permissions.may_retract allows it (as on the claim page); a
    refusal is shown as a message and the other rows are still retracted."""
    reason = request.POST.get("reason", "")
    retracted = 0
    for obj in queryset:
        if not may_retract(request.user, obj):
            messages.error(request, _("%(item)s: only its recorder or an editor may retract it.") % {"item": obj})
            continue
        try:
            retract(obj, retracted_by=request.user, reason=reason)
        except ValidationError as error:
            messages.error(request, f"{obj}: {' '.join(error.messages)}")
        else:
            retracted += 1
    if retracted:
        messages.success(request, _("Retracted: %(count)d.") % {"count": retracted})


@admin.register(Appearance)
class AppearanceAdmin(NoDeleteAdmin):
    """Appearances are recorded and reviewed in the newsroom pages (and the API), whose services
    keep the stance counts and the review trail right. Here only the quote's wording and the time
    can be corrected (neither is counted), and appearances retracted through the service; adding
    is not possible."""

    action_form = RetractionActionForm
    actions = ["retract_selected"]

    list_display = ["claim", "source", "stance", "seen_at", "origin", "review_state", "retracted_at"]
    list_filter = ["stance", "origin", "review_state", "source__kind", ("retracted_at", admin.EmptyFieldListFilter)]
    search_fields = ["quote", "source__name", "claim__text", "document__canonical_url"]
    list_select_related = ["claim", "source"]
    fields = [
        "claim",
        "source",
        "document",
        "stance",
        "quote",
        "seen_at",
        "origin",
        "review_state",
        "confidence",
        "recorded_by",
        "recorded_at",
        "submitted_by_partner",
        "submitted_document_url",
        "submitted_document_title",
        "reviewed_by",
        "reviewed_at",
        "retracted_at",
        "retracted_by",
        "retraction_reason",
    ]
    readonly_fields = [field for field in fields if field not in {"quote", "seen_at"}]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Retract the selected appearances (give the reason)"), permissions=["change"])
    def retract_selected(self, request, queryset):
        _retract_each(
            request, queryset, lambda appearance, **kw: services.retract_appearance(appearance=appearance, **kw)
        )


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
    action_form = RetractionActionForm
    actions = ["retract_selected"]

    @admin.action(description=_("Retract the selected evidence (give the reason)"), permissions=["retract"])
    def retract_selected(self, request, queryset):
        _retract_each(request, queryset, lambda evidence, **kw: services.retract_evidence(evidence=evidence, **kw))

    def has_retract_permission(self, request):
        # Evidence is read-only here, yet retracting it is a change: whoever may change it may.
        return request.user.has_perm("claims.change_evidence")


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    """Tags are created by services.set_tags from a claim's tag list (edited on the claim)."""

    search_fields = ["name"]


@admin.register(StatusProposal)
class StatusProposalAdmin(ReadOnlyAdmin):
    list_display = ["claim", "from_status", "to_status", "proposed_by", "proposed_at", "state", "decided_by"]
    list_filter = ["state", "to_status"]
    search_fields = ["rationale", "claim__text"]
    list_select_related = ["claim", "proposed_by", "decided_by"]


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    """Notes are added and retracted on the claim page (services.add_note / retract_note); here
    they are read, never edited or deleted."""

    list_display = ["claim", "author", "created_at", "retracted_at"]
    list_filter = ["created_at", ("retracted_at", admin.EmptyFieldListFilter)]
    search_fields = ["text", "claim__text", "author__username"]
    list_select_related = ["claim", "author"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    """Who was on which claim when: assigned and unassigned on the claim page (services.assign_claim
    / unassign_claim)."""

    list_display = ["claim", "user", "assigned_by", "assigned_at", "unassigned_at", "unassigned_by"]
    list_filter = ["assigned_at", ("unassigned_at", admin.EmptyFieldListFilter)]
    search_fields = ["claim__text", "user__username"]
    list_select_related = ["claim", "user", "assigned_by", "unassigned_by"]


# The audit trail of the claims domain, read-only.
for tracked in (Claim, Appearance, StatusChange, Verdict, Evidence, Note, Assignment):
    admin.site.register(tracked.history.model, HistoryAdmin)
