from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from claimtrack.admin import NoDeleteAdmin, ReadOnlyAdmin

from .models import Partner, PartnerAPIKey, Webhook, WebhookDelivery


@admin.register(Partner)
class PartnerAdmin(NoDeleteAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(PartnerAPIKey)
class PartnerAPIKeyAdmin(NoDeleteAdmin, APIKeyModelAdmin):
    # The library's admin shows the new key once, in a message, and keys can be revoked here.
    list_display = [*APIKeyModelAdmin.list_display, "partner", "scope", "last_used_at"]
    list_filter = [*APIKeyModelAdmin.list_filter, "scope"]


@admin.register(Webhook)
class WebhookAdmin(NoDeleteAdmin):
    list_display = ["url", "partner", "active", "created_at"]
    readonly_fields = ["partner", "url", "created_at", "deactivated_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "webhook", "state", "attempt_count", "created_at", "delivered_at"]
    list_filter = ["state"]
