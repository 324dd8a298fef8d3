from django.contrib import admin

from claimtrack.admin import ReadOnlyAdmin

from .models import InterfacePreference


@admin.register(InterfacePreference)
class InterfacePreferenceAdmin(ReadOnlyAdmin):
    """Each user sets their own with the header's switcher; the admin only shows them."""

    list_display = ["user", "language", "updated_at"]
    list_filter = ["language"]
    search_fields = ["user__username"]
