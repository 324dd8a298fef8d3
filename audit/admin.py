"""The audit trail in the admin: readable, never editable or deletable.

Each app registers its own historical models with HistoryAdmin (claims/admin.py,
sources/admin.py): audit sits below them and imports none of their models."""

from claimtrack.admin import ReadOnlyAdmin


class HistoryAdmin(ReadOnlyAdmin):
    """The read-only admin of a django-simple-history model (Model.history.model)."""

    list_display = ["history_date", "__str__", "history_type", "history_user", "history_actor", "history_channel"]
    list_filter = ["history_type", "history_channel", "history_date"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"
