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
from django.db.models import F, Q
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


def get_or_create_partner(*, name: str) -> tuple[Partner, bool]:
    """The partner of that name, and whether it was created now (as sources.get_or_create_source)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A partner needs a name."})
    return Partner.objects.get_or_create(name=name)


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


# Said to the partner instead of the outbound refusal's reason, which may name the address an
# internal host name resolves to.
WEBHOOK_ADDRESS_REFUSED = (
    "This address may not receive webhooks: it must be http or https on port 80 or 443, "
    "and its host must resolve only to public internet addresses."
)


def _check_webhook_port(url: str) -> None:
    """Ports 80/443 only, even on FETCH_ALLOWED_NETWORKS, unless WEBHOOK_ANY_PORT_ON_ALLOWED_NETWORKS.
    Raises OutboundRequestRefused."""
    if not settings.WEBHOOK_ANY_PORT_ON_ALLOWED_NETWORKS:
        outbound.check_standard_port(url)


def _check_webhook_address(url: str) -> None:
    """The outbound rules (claimtrack/outbound.py) and the webhook port rule. Raises
    OutboundRequestRefused."""
    _check_webhook_port(url)
    outbound.check_url(url)


def check_webhook_url(url: str) -> None:
    try:
        validate_http_url(url)
    except ValidationError:
        raise ValidationError({"url": "Enter a valid http or https address."}) from None
    try:
        _check_webhook_address(url)
    except outbound.OutboundRequestRefused as refusal:
        logger.info("Webhook address %s refused: %s", url, refusal.reason)
        raise ValidationError({"url": WEBHOOK_ADDRESS_REFUSED}) from None


@transaction.atomic
def register_webhook(*, partner: Partner, url: str) -> Webhook:
    """A new active webhook, within the partner's WEBHOOK_MAX_PER_PARTNER."""
    url = (url or "").strip()
    check_webhook_url(url)
    # Lock the partner so two registrations at once cannot both pass the limit.
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    active = Webhook.objects.filter(partner=partner, active=True).count()
    if active >= settings.WEBHOOK_MAX_PER_PARTNER:
        raise ValidationError(
            f"You have {active} active webhooks, the most a partner may have: deactivate one before adding another."
        )
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


# Deliveries ------------------------------------------------------------------------------------
#
# A delivery is a row, due at its next_attempt_at. The fan-out queues each new delivery's first
# attempt at once; the periodic sweep (take_due_deliveries) queues every attempt that is due:
# retries at their backoff time, and any attempt whose task was never sent or was lost with its
# worker. Each task sends one numbered attempt, claimed with a conditional UPDATE, so a duplicate
# message sends nothing and a retry never comes before its time.


def _attempt_lease() -> timedelta:
    # How long a queued or running attempt keeps its delivery off the sweep: well beyond a POST
    # (WEBHOOK_TIMEOUT_SECONDS) and the usual wait in the queue. An attempt not done by then was
    # lost, and the sweep queues the next one.
    return timedelta(seconds=max(300.0, 4 * settings.WEBHOOK_TIMEOUT_SECONDS))


def create_deliveries(*, event: dict) -> list[int]:
    """One pending delivery of the event per active webhook. Returns the ids of the deliveries
    this call created, whose first attempt the caller queues; running it again for the same event
    creates nothing (deliveries it created before are the sweep's, if they are still pending)."""
    created_ids = []
    first_attempt_by = timezone.now() + _attempt_lease()
    for webhook in Webhook.objects.filter(active=True):
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    webhook=webhook,
                    event_id=event["id"],
                    event_type=event["type"],
                    payload=event,
                    next_attempt_at=first_attempt_by,  # the sweep's, if the queued first attempt is lost
                )
        except IntegrityError:  # this event was already fanned out to this webhook
            continue
        created_ids.append(delivery.pk)
    return created_ids


def _due(now) -> Q:
    # A pending delivery without next_attempt_at was left by the code before the sweep: due too.
    return Q(state=WebhookDelivery.State.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def take_due_deliveries(*, limit: int = 500) -> list[tuple[int, int]]:
    """The attempts the periodic task should queue now, as (delivery id, attempt number). Each due
    delivery is taken with a conditional UPDATE that moves its next_attempt_at past the attempt's
    lease, so two sweeps never queue it twice. A delivery whose last attempt was lost with its
    worker is marked failed instead."""
    now = timezone.now()
    lost_last = WebhookDelivery.objects.filter(_due(now), attempt_count__gte=settings.WEBHOOK_MAX_ATTEMPTS)
    for delivery_id in lost_last.values_list("id", flat=True):
        logger.warning("Webhook delivery %s failed for good: its last attempt was lost with its worker", delivery_id)
    lost_last.update(state=WebhookDelivery.State.FAILED, next_attempt_at=None)
    due = WebhookDelivery.objects.filter(_due(now)).order_by(F("next_attempt_at").asc(nulls_first=True), "id")
    taken = []
    for delivery_id, attempt_count in due.values_list("id", "attempt_count")[:limit]:
        if WebhookDelivery.objects.filter(_due(now), pk=delivery_id, attempt_count=attempt_count).update(
            next_attempt_at=now + _attempt_lease()
        ):
            taken.append((delivery_id, attempt_count + 1))
    return taken


def attempt_delivery(*, delivery_id: int, attempt_number: int) -> WebhookAttempt | None:
    """POST attempt number `attempt_number` of the delivery and log it; on failure schedule the
    next attempt with backoff, or after the last one mark the delivery failed. Returns the logged
    attempt, or None when this attempt is not (or no longer) to be made: the delivery finished, or
    this attempt was already made by another task."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
        return None
    # Claim this attempt with a conditional UPDATE rather than a row lock: no transaction stays
    # open across the POST (on SQLite one would block every write for the whole timeout), and a
    # duplicate message for the same attempt loses the claim and sends nothing. The lease keeps
    # the sweep from queueing the next attempt while this one runs.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, state=WebhookDelivery.State.PENDING, attempt_count=attempt_number - 1
    ).update(attempt_count=attempt_number, next_attempt_at=timezone.now() + _attempt_lease())
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
            _check_webhook_port(webhook.url)  # the address itself is vetted at connect
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
            # The partner reads this in the delivery log: never the address a host resolved to.
            logger.info("Webhook delivery %s refused: %s", delivery.pk, refusal.reason)
            error = f"Refused: {WEBHOOK_ADDRESS_REFUSED}"
        except outbound.OutboundRequestFailed as failure:
            error = f"Failed: {failure.reason}"
    if not error:
        updates = {"state": WebhookDelivery.State.SUCCEEDED, "delivered_at": timezone.now(), "next_attempt_at": None}
    elif attempt_number >= settings.WEBHOOK_MAX_ATTEMPTS or not webhook.active:
        updates = {"state": WebhookDelivery.State.FAILED, "next_attempt_at": None}
        logger.warning("Webhook delivery %s failed for good after %s attempts: %s", delivery.pk, attempt_number, error)
    else:
        updates = {"next_attempt_at": timezone.now() + timedelta(seconds=retry_delay(attempt_number))}
    with transaction.atomic():
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            number=attempt_number,
            status_code=status_code,
            error=error[:2000],
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        WebhookDelivery.objects.filter(pk=delivery_id, attempt_count=attempt_number).update(**updates)
    return attempt
