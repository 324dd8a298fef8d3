"""Partner newsrooms that use the REST API: their API keys and their webhooks.

Keys are stored hashed (djangorestframework-api-key: SHA-512 of a 32-character random secret,
looked up by its 8-character prefix); the plain key is shown once, when it is created. Webhook
secrets are kept in clear because every delivery is signed with them.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from claimtrack.validators import validate_http_url


class Partner(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerAPIKeyManager(APIKeyManager):
    def get_usable_keys(self):
        # Authentication needs the partner too: one query, not two.
        return super().get_usable_keys().select_related("partner")


class PartnerAPIKey(AbstractAPIKey):
    class Scope(models.TextChoices):
        READ = "read", _("Read published data")
        WRITE = "write", _("Read, and submit claims and appearances")

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="api_keys")
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.READ)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PartnerAPIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "partner API key"
        verbose_name_plural = "partner API keys"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class Webhook(models.Model):
    """A partner's URL that receives a signed POST for each claim event."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="webhooks")
    url = models.URLField(max_length=1000, validators=[validate_http_url])
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    deactivated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event for one webhook, due at next_attempt_at: the beat sweep sends it then, and
    retries it with backoff until it succeeds or the attempts run out."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed after the last attempt")

    webhook = models.ForeignKey(Webhook, on_delete=models.PROTECT, related_name="deliveries")
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=64)
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # An event is delivered once per webhook, however often the fan-out task runs.
            models.UniqueConstraint(fields=["webhook", "event_id"], name="webhook_delivery_event_unique")
        ]
        # The beat sweep reads the pending deliveries by next_attempt_at; finished ones are most rows.
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(state="pending"), name="webhook_delivery_due_idx"
            )
        ]

    def __str__(self):
        return f"{self.event_id} → {self.webhook_id}"


class WebhookAttempt(models.Model):
    """One HTTP POST of a delivery: what the receiver answered, or why it could not be reached."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_unique")]

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
