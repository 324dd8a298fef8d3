"""Admin for partners, their API keys and webhooks, written through partners.services: a key is
created by create_api_key (its plain value is shown once) and revoked by revoke_api_key; a webhook
is registered by the partner through the API and deactivated by deactivate_webhook. Nothing is
deleted; the delivery log is read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin

from claimtrack.admin import NoDeleteAdmin, ReadOnlyAdmin, ServiceAddAdmin, ServiceAddForm

from . import services
from .models import Partner, PartnerAPIKey, Webhook, WebhookDelivery


class PartnerAddForm(ServiceAddForm):
    class Meta:
        model = Partner
        fields = ["name"]

    def create(self, cleaned_data):
        partner, created = services.get_or_create_partner(name=cleaned_data["name"])
        if not created:
            raise ValidationError({"name": _("There is already a partner called “%(name)s”.") % {"name": partner.name}})
        return partner


@admin.register(Partner)
class PartnerAdmin(ServiceAddAdmin):
    add_form = PartnerAddForm
    list_display = ["name", "created_at"]
    search_fields = ["name"]


class PartnerAPIKeyAddForm(ServiceAddForm):
    class Meta:
        model = PartnerAPIKey
        fields = ["partner", "scope", "name"]

    def create(self, cleaned_data):
        api_key, self.plain_key = services.create_api_key(
            partner=cleaned_data["partner"], scope=cleaned_data["scope"], name=cleaned_data["name"]
        )
        return api_key


@admin.register(PartnerAPIKey)
class PartnerAPIKeyAdmin(ServiceAddAdmin, APIKeyModelAdmin):
    add_form = PartnerAPIKeyAddForm
    list_display = [*APIKeyModelAdmin.list_display, "partner", "scope", "last_used_at"]
    list_filter = [*APIKeyModelAdmin.list_filter, "scope"]
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A key's partner and scope are what it grants: for other ones, create a new key. Revoking
        # is the action below, so that the time of revocation is recorded.
        return ("prefix", "partner", "scope", "revoked", "revoked_at", "expiry_date", "last_used_at")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # Added: create_api_key stored it already (ServiceAddForm); show its key this once.
        messages.warning(
            request,
            _("The API key for %(name)s is: %(key)s. Store it somewhere safe: it cannot be shown again.")
            % {"name": obj.name, "key": form.plain_key},
        )

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        for api_key in queryset:
            services.revoke_api_key(api_key=api_key)
        messages.success(request, _("Revoked: %(count)d.") % {"count": len(queryset)})


@admin.register(Webhook)
class WebhookAdmin(NoDeleteAdmin):
    list_display = ["url", "partner", "active", "created_at"]
    readonly_fields = ["partner", "url", "active", "created_at", "deactivated_at"]
    actions = ["deactivate_selected"]

    def has_add_permission(self, request):
        return False  # partners register their webhooks through the API (services.register_webhook)

    @admin.action(description=_("Deactivate the selected webhooks"), permissions=["change"])
    def deactivate_selected(self, request, queryset):
        for webhook in queryset:
            services.deactivate_webhook(webhook=webhook)
        messages.success(request, _("Deactivated: %(count)d.") % {"count": len(queryset)})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "webhook", "state", "attempt_count", "created_at", "delivered_at"]
    list_filter = ["state"]
