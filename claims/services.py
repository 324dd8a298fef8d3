"""Writes to the claims domain: one function per business action.

Views, API, admin, management commands and tasks call these; nothing else writes claims,
appearances, status changes or verdicts. Each function validates its input and raises
django.core.exceptions.ValidationError with a message a person can act on.
"""

import hashlib
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from claimtrack.celery import enqueue_on_commit
from partners import events as webhook_events
from sources.models import Document, Source

from .models import Appearance, Claim, ClaimStatus, Evidence, Stance, StatusChange, Tag, Verdict

INITIAL_RATIONALE = "Claim logged."


class StatusConflict(ValidationError):
    """Somebody else changed the status since the editor loaded the page."""


def _unique_slug(text: str) -> str:
    base = slugify(text, allow_unicode=True)[:100].strip("-") or "claim"
    slug, n = base, 1
    while Claim.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _touch(claim_id: int, at: datetime | None = None) -> None:
    """Move the claim's last activity forward to the event's time (never backwards)."""
    at = at or timezone.now()
    Claim.objects.filter(pk=claim_id).update(last_activity_at=Greatest(F("last_activity_at"), Value(at)))


@transaction.atomic
def create_claim(
    *,
    text: str,
    created_by,
    summary: str = "",
    tags: list[str] | tuple = (),
    places: list[str] | tuple = (),
    language: str = "",
    first_seen_at: datetime | None = None,
    slug: str | None = None,
    submitted_by_partner=None,
) -> Claim:
    """Log a new claim. It starts unverified, and that first status is its first timeline event."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what the claim is.")})
    first_seen_at = first_seen_at or timezone.now()
    claim = Claim(
        text=text,
        slug=slug or _unique_slug(text),
        summary=summary.strip(),
        places=[p.strip() for p in places if p.strip()],
        language=language,
        first_seen_at=first_seen_at,
        created_by=created_by,
        submitted_by_partner=submitted_by_partner,
        status=ClaimStatus.UNVERIFIED,
        status_changed_at=first_seen_at,
        last_activity_at=first_seen_at,
    )
    claim.full_clean(exclude=["slug"] if slug is None else None)
    claim.save()
    set_tags(claim=claim, names=tags)
    StatusChange.objects.create(
        claim=claim,
        from_status="",
        to_status=ClaimStatus.UNVERIFIED,
        rationale=INITIAL_RATIONALE,
        changed_by=created_by,
        changed_at=first_seen_at,
    )
    return claim


def set_tags(*, claim: Claim, names) -> None:
    tags = []
    for name in {n.strip().lower() for n in names if n and n.strip()}:
        tag, _created = Tag.objects.get_or_create(name=name[:64])
        tags.append(tag)
    claim.tags.set(tags)


@transaction.atomic
def change_status(
    *,
    claim: Claim | int,
    to_status: str,
    rationale: str,
    changed_by,
    changed_at: datetime | None = None,
    expected_status: str | None = None,
) -> StatusChange:
    """The one way a claim's status changes: append a StatusChange and update the claim, atomically.

    expected_status is the status the editor saw; if someone changed it meanwhile, StatusConflict
    is raised instead of silently overwriting their ruling.
    """
    claim_id = claim.pk if isinstance(claim, Claim) else claim
    if to_status not in ClaimStatus.values:
        raise ValidationError({"to_status": _("Unknown status “%(status)s”.") % {"status": to_status}})
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError({"rationale": _("A status change needs a written rationale.")})
    # Lock the claim row so that concurrent changes are serialised and each sees the other's result.
    locked = Claim.objects.select_for_update().get(pk=claim_id)
    if expected_status is not None and locked.status != expected_status:
        raise StatusConflict(
            _("The status was changed to “%(current)s” while you were editing; reload and decide again.")
            % {"current": locked.get_status_display()}
        )
    if locked.status == to_status:
        raise ValidationError({"to_status": _("The claim already has this status.")})
    changed_at = changed_at or timezone.now()
    status_change = StatusChange.objects.create(
        claim_id=claim_id,
        from_status=locked.status,
        to_status=to_status,
        rationale=rationale,
        changed_by=changed_by,
        changed_at=changed_at,
    )
    Claim.objects.filter(pk=claim_id).update(status=to_status, status_changed_at=changed_at)
    _touch(claim_id, changed_at)
    if isinstance(claim, Claim):
        claim.status, claim.status_changed_at = to_status, changed_at
    webhook_events.status_changed(status_change_id=status_change.pk)
    return status_change


@transaction.atomic
def record_appearance(
    *,
    claim: Claim,
    source: Source,
    stance: str,
    recorded_by,
    quote: str = "",
    seen_at: datetime | None = None,
    document: Document | None = None,
    origin: str = Appearance.Origin.MANUAL,
    review_state: str | None = None,
    confidence: float | None = None,
    submitted_by_partner=None,
) -> Appearance:
    """Record that a source spoke to a claim. Manual appearances are accepted as recorded;
    suggestions start pending until a journalist reviews them."""
    if stance not in Stance.values:
        raise ValidationError({"stance": _("Stance must be asserts, denies or reports.")})
    if document is not None and document.source_id != source.pk:
        raise ValidationError({"document": _("That document was published by another source.")})
    if review_state is None:
        review_state = (
            Appearance.ReviewState.PENDING if origin == Appearance.Origin.SUGGESTED else Appearance.ReviewState.ACCEPTED
        )
    appearance = Appearance(
        claim=claim,
        source=source,
        document=document,
        stance=stance,
        quote=(quote or "").strip(),
        seen_at=seen_at or timezone.now(),
        origin=origin,
        review_state=review_state,
        confidence=confidence,
        recorded_by=recorded_by,
        submitted_by_partner=submitted_by_partner,
    )
    appearance.full_clean()
    appearance.save()
    _touch(claim.pk, appearance.seen_at)
    _enqueue_stance_count_refresh(claim.pk)
    return appearance


@transaction.atomic
def retract_appearance(*, appearance: Appearance, retracted_by, reason: str) -> Appearance:
    """Retract (never delete) an appearance; it stays on the timeline, marked as retracted."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the appearance is retracted.")})
    if appearance.retracted_at is not None:
        raise ValidationError(_("This appearance is already retracted."))
    appearance.retracted_at = timezone.now()
    appearance.retracted_by = retracted_by
    appearance.retraction_reason = reason
    appearance.save(update_fields=["retracted_at", "retracted_by", "retraction_reason"])
    _touch(appearance.claim_id)
    _enqueue_stance_count_refresh(appearance.claim_id)
    return appearance


def rating_for_name(name: str) -> dict:
    scale = settings.CLAIMTRACK_RATING_SCALE
    for rating in scale["ratings"]:
        if rating["name"].lower() == (name or "").strip().lower():
            return {**rating, "best": scale["best"], "worst": scale["worst"]}
    names = ", ".join(r["name"] for r in scale["ratings"])
    raise ValidationError({"rating": _("Unknown rating; choose one of: %(names)s.") % {"names": names}})


@transaction.atomic
def publish_verdict(
    *, claim: Claim, rating_name: str, author, summary: str = "", published_at: datetime | None = None
) -> Verdict:
    """Publish a rating from the configured scale; the newest published verdict is the current one."""
    rating = rating_for_name(rating_name)
    verdict = Verdict.objects.create(
        claim=claim,
        rating_value=rating["value"],
        rating_name=rating["name"],
        best_rating=rating["best"],
        worst_rating=rating["worst"],
        summary=(summary or "").strip(),
        author=author,
        published_at=published_at or timezone.now(),
    )
    _touch(claim.pk, verdict.published_at)
    webhook_events.verdict_published(verdict_id=verdict.pk)
    return verdict


@transaction.atomic
def attach_evidence(
    *,
    content: bytes,
    content_type: str,
    uploaded_by,
    claim: Claim | None = None,
    appearance: Appearance | None = None,
    caption: str = "",
    captured_at: datetime | None = None,
    original_name: str = "",
) -> Evidence:
    """Store an evidence file under its SHA-256. The caller has checked the type from content."""
    from django.core.files.base import ContentFile

    if claim is None and appearance is None:
        raise ValidationError(_("Evidence must belong to a claim or an appearance."))
    evidence = Evidence(
        sha256=hashlib.sha256(content).hexdigest(),
        content_type=content_type,
        size=len(content),
        original_name=original_name[:255],
        caption=(caption or "").strip(),
        captured_at=captured_at,
        claim=claim if claim is not None else appearance.claim,
        appearance=appearance,
        uploaded_by=uploaded_by,
    )
    evidence.file.save("upload", ContentFile(content), save=False)
    evidence.save()
    _touch(evidence.claim_id)
    return evidence


def recompute_stance_counts(*, claim_id: int) -> Claim | None:
    """Count distinct sources per stance among accepted, unretracted appearances. Idempotent."""
    counted = Appearance.objects.filter(
        claim_id=claim_id, review_state=Appearance.ReviewState.ACCEPTED, retracted_at__isnull=True
    )
    counts = counted.aggregate(
        asserts=Count("source", filter=Q(stance=Stance.ASSERTS), distinct=True),
        denies=Count("source", filter=Q(stance=Stance.DENIES), distinct=True),
        reports=Count("source", filter=Q(stance=Stance.REPORTS), distinct=True),
    )
    Claim.objects.filter(pk=claim_id).update(
        asserts_count=counts["asserts"], denies_count=counts["denies"], reports_count=counts["reports"]
    )
    return Claim.objects.filter(pk=claim_id).first()


def _enqueue_stance_count_refresh(claim_id: int) -> None:
    from .tasks import refresh_stance_counts

    enqueue_on_commit(refresh_stance_counts, claim_id)
