from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from .models import Partner, PartnerAPIKey, Webhook, WebhookDelivery


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartnerAPIKey)
class PartnerAPIKeyAdmin(APIKeyModelAdmin):
    # The library's admin shows the new key once, in a message, and keys can be revoked here.
    list_display = [*APIKeyModelAdmin.list_display, "partner", "scope", "last_used_at"]
    list_filter = [*APIKeyModelAdmin.list_filter, "scope"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "partner", "active", "created_at"]
    readonly_fields = ["partner", "url", "created_at", "deactivated_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_id", "webhook", "state", "attempt_count", "created_at", "delivered_at"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
