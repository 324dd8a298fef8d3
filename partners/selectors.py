from django.db.models import QuerySet

from .models import Partner, Webhook, WebhookDelivery


def partner_webhooks(partner: Partner) -> QuerySet[Webhook]:
    return Webhook.objects.filter(partner=partner)


def webhook_deliveries(webhook: Webhook) -> QuerySet[WebhookDelivery]:
    """The webhook's deliveries with every attempt. Two queries."""
    return WebhookDelivery.objects.filter(webhook=webhook).prefetch_related("attempts")
