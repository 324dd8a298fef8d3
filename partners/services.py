"""Writes of the partners domain: partners, API keys, webhooks and their deliveries."""

import hashlib
import hmac
import json
import logging
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from claimtrack import outbound
from claimtrack.lib.backoff import backoff_seconds
from claimtrack.validators import validate_http_url

from .models import Partner, PartnerAPIKey, Webhook, WebhookAttempt, WebhookDelivery

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Claimtrack-Signature"
TIMESTAMP_HEADER = "X-Claimtrack-Timestamp"
EVENT_HEADER = "X-Claimtrack-Event"
DELIVERY_HEADER = "X-Claimtrack-Delivery"


# Partners and keys ----------------------------------------------------------------------------


def get_or_create_partner(*, name: str) -> Partner:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A partner needs a name."})
    partner, _created = Partner.objects.get_or_create(name=name)
    return partner


def create_api_key(*, partner: Partner, scope: str, name: str = "") -> tuple[PartnerAPIKey, str]:
    """A new key for the partner. Returns the stored key (hashed) and the plain key, which is
    never stored and cannot be shown again."""
    if scope not in PartnerAPIKey.Scope.values:
        raise ValidationError({"scope": "The scope is read or write."})
    return PartnerAPIKey.objects.create_key(partner=partner, scope=scope, name=(name or f"{partner.name} {scope}")[:50])


def revoke_api_key(*, api_key: PartnerAPIKey) -> PartnerAPIKey:
    """Revoke for good: requests with the key get 401 from now on."""
    if not api_key.revoked:
        api_key.revoked = True
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked", "revoked_at"])
    return api_key


# Webhooks -------------------------------------------------------------------------------------


def check_webhook_url(url: str) -> None:
    """Webhook URLs follow the fetcher's outbound rules: public addresses on ports 80/443 only,
    unless FETCH_ALLOWED_NETWORKS allows more."""
    try:
        validate_http_url(url)
    except ValidationError:
        raise ValidationError({"url": "Enter a valid http or https address."}) from None
    try:
        outbound.check_url(url)
    except outbound.OutboundRequestRefused as refusal:
        raise ValidationError({"url": f"This address may not receive webhooks: {refusal.reason}."}) from None


def register_webhook(*, partner: Partner, url: str) -> Webhook:
    url = (url or "").strip()
    check_webhook_url(url)
    return Webhook.objects.create(partner=partner, url=url, secret=secrets.token_hex(32))


def deactivate_webhook(*, webhook: Webhook) -> Webhook:
    """Stop deliveries (the webhook and its delivery log are kept)."""
    if webhook.active:
        webhook.active = False
        webhook.deactivated_at = timezone.now()
        webhook.save(update_fields=["active", "deactivated_at"])
    return webhook


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 of b"<timestamp>.<body>" keyed with the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def retry_delay(attempt_number: int) -> float:
    """Seconds before the attempt after attempt `attempt_number` (1 for the first) failed: capped
    exponential backoff, between half and all of base × 2^(n-1)."""
    return backoff_seconds(
        attempt_number - 1, base=settings.WEBHOOK_RETRY_BASE_SECONDS, cap=settings.WEBHOOK_RETRY_MAX_SECONDS
    )


def create_deliveries(*, event: dict) -> list[int]:
    """One pending delivery of the event per active webhook. Safe to run twice for one event."""
    delivery_ids = []
    for webhook in Webhook.objects.filter(active=True):
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    webhook=webhook, event_id=event["id"], event_type=event["type"], payload=event
                )
        except IntegrityError:  # this event was already fanned out to this webhook
            delivery = WebhookDelivery.objects.get(webhook=webhook, event_id=event["id"])
        if delivery.state == WebhookDelivery.State.PENDING:
            delivery_ids.append(delivery.pk)
    return delivery_ids


def attempt_delivery(*, delivery_id: int) -> float | None:
    """POST the delivery once and log the attempt. Returns the seconds to wait before retrying,
    or None when there is nothing more to do (delivered, given up, or already finished)."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
        return None
    number = delivery.attempt_count + 1
    # Claim this attempt with a conditional UPDATE rather than a row lock: no transaction stays
    # open across the POST (on SQLite one would block every write for the whole timeout), and a
    # concurrent run of the same task (a redelivered message) loses the claim and sends nothing.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, state=WebhookDelivery.State.PENDING, attempt_count=delivery.attempt_count
    ).update(attempt_count=number)
    if not claimed:
        return None
    webhook = delivery.webhook
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: delivery.event_type,
        DELIVERY_HEADER: delivery.event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret=webhook.secret, timestamp=timestamp, body=body),
    }
    status_code, error, started = None, "", time.monotonic()
    if not webhook.active:
        error = "The webhook was deactivated."
    else:
        try:
            response = outbound.request(
                "POST",
                webhook.url,
                headers=headers,
                content=body,
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                max_bytes=64 * 1024,
                follow_redirects=False,
            )
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"The receiver answered {status_code}."
        except outbound.OutboundRequestRefused as refusal:
            error = f"Refused: {refusal.reason}"
        except outbound.OutboundRequestFailed as failure:
            error = f"Failed: {failure.reason}"
    retry_in = None
    if not error:
        updates = {"state": WebhookDelivery.State.SUCCEEDED, "delivered_at": timezone.now(), "next_attempt_at": None}
    elif number >= settings.WEBHOOK_MAX_ATTEMPTS or not webhook.active:
        updates = {"state": WebhookDelivery.State.FAILED, "next_attempt_at": None}
        logger.warning("Webhook delivery %s failed for good after %s attempts: %s", delivery.pk, number, error)
    else:
        retry_in = retry_delay(number)
        updates = {"next_attempt_at": timezone.now() + timedelta(seconds=retry_in)}
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            status_code=status_code,
            error=error[:2000],
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        WebhookDelivery.objects.filter(pk=delivery_id).update(**updates)
    return retry_in
