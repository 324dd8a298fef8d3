"""The audit trail in the admin: readable, never editable or deletable."""

from django.contrib import admin

from claims.models import Appearance, Claim, Evidence, StatusChange, Verdict
from claimtrack.admin import ReadOnlyAdmin
from sources.models import Document, Feed, Source


class AuditTrailAdmin(ReadOnlyAdmin):
    list_display = ["history_date", "__str__", "history_type", "history_user", "history_actor", "history_channel"]
    list_filter = ["history_type", "history_channel", "history_date"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"


for tracked in (Claim, Appearance, StatusChange, Verdict, Evidence, Source, Feed, Document):
    admin.site.register(tracked.history.model, AuditTrailAdmin)
