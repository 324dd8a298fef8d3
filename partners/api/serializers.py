from rest_framework import serializers

from claimtrack.api.fields import iso
from claimtrack.validators import HttpURLSerializerField
from partners.models import WebhookDelivery


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = HttpURLSerializerField(max_length=1000, help_text="Where events are POSTed (public http or https).")
    active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, webhook):
        return {"id": webhook.pk, "url": webhook.url, "active": webhook.active, "created_at": iso(webhook.created_at)}


class NewWebhookSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="Signs every delivery. Shown only in this response.")

    def to_representation(self, webhook):
        return {**super().to_representation(webhook), "secret": webhook.secret}


class WebhookAttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    attempted_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True, help_text="Empty when no HTTP answer came.")
    error = serializers.CharField(allow_blank=True)
    duration_ms = serializers.IntegerField()


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_id = serializers.CharField()
    event_type = serializers.CharField()
    state = serializers.ChoiceField(choices=WebhookDelivery.State.choices)
    attempt_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    payload = serializers.JSONField()
    attempts = WebhookAttemptSerializer(many=True)

    def to_representation(self, delivery):
        return {
            "id": delivery.pk,
            "event_id": delivery.event_id,
            "event_type": delivery.event_type,
            "state": delivery.state,
            "attempt_count": delivery.attempt_count,
            "created_at": iso(delivery.created_at),
            "next_attempt_at": iso(delivery.next_attempt_at),
            "delivered_at": iso(delivery.delivered_at),
            "payload": delivery.payload,
            "attempts": [
                {
                    "number": attempt.number,
                    "attempted_at": iso(attempt.attempted_at),
                    "status_code": attempt.status_code,
                    "error": attempt.error,
                    "duration_ms": attempt.duration_ms,
                }
                for attempt in delivery.attempts.all()
            ],
        }
