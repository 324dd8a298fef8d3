"""Writes to the claims domain: one function per business action.

Views, API, admin, management commands and tasks call these; nothing else writes claims,
appearances, status changes or verdicts. Each function validates its input and raises
django.core.exceptions.ValidationError with a message a person can act on.
"""

import functools
import hashlib
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Greatest
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.services import update_recorded
from claimtrack.lib.text import storable_text
from claimtrack.validators import validate_seen_time
from outbox.services import enqueue_on_commit
from sources.models import Document, DocumentRevision, Source, SourceMerge

from . import signals
from .models import (
    Appearance,
    Claim,
    ClaimStatus,
    Evidence,
    Stance,
    StatusChange,
    StatusProposal,
    Tag,
    Verdict,
    validate_place_names,
)
from .ratings import rating_for_name

INITIAL_RATIONALE = "Claim logged."


class StatusConflict(ValidationError):
    """Somebody else changed the status since the editor loaded the page."""


class AlreadySubmitted(ValidationError):
    """The submission key was used before (the same form posted twice, an API request retried):
    nothing new was saved; `existing` is the row the first submission created."""

    def __init__(self, existing):
        self.existing = existing
        super().__init__(_("This was already saved a moment ago; it was not saved twice."), code="already_submitted")


def once_per_submission_key(model):
    """Make a service that creates one `model` row, storing its `submission_key` argument on it,
    create at most one row per key (claimtrack.lib.submissions). A repeat raises AlreadySubmitted
    with the first row, also when both arrive at once: the second INSERT fails on the unique key
    (on PostgreSQL it waits for the first to commit), everything it wrote is rolled back to the
    savepoint, and the first row is read."""

    def decorate(service):
        @functools.wraps(service)
        def create_once(*args, submission_key: str | None = None, **kwargs):
            if submission_key is None:
                return service(*args, **kwargs)
            try:
                with transaction.atomic():
                    existing = model.objects.filter(submission_key=submission_key).first()
                    if existing is not None:
                        raise AlreadySubmitted(existing)
                    return service(*args, submission_key=submission_key, **kwargs)
            except IntegrityError:
                existing = model.objects.filter(submission_key=submission_key).first()
                if existing is None:
                    raise
                raise AlreadySubmitted(existing) from None

        return create_once

    return decorate


def _retraction_refusal(what: str, item) -> ValidationError:
    """The second of two retractions is refused, naming the first: its reason stays. (`item` was
    read with select_for_update and no join: after waiting for the lock, PostgreSQL rereads the
    locked row but not a joined one.)"""
    who = item.retracted_by.get_username() if item.retracted_by_id else _("someone")
    return ValidationError(
        _("This %(what)s was already retracted by %(who)s at %(when)s: “%(reason)s”.")
        % {
            "what": what,
            "who": who,
            "when": formats.date_format(timezone.localtime(item.retracted_at), "Y-m-d H:i"),
            "reason": item.retraction_reason,
        },
        code="already_retracted",
    )


def _unique_slug(text: str) -> str:
    base = slugify(text, allow_unicode=True)[:100].strip("-") or "claim"
    slug, n = base, 1
    while Claim.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _attribute(instance, user) -> None:
    """Record `user` as the author of this write in the audit trail (when the service knows them)."""
    if user is not None:
        instance._history_user = user


def _check_time(field: str, moment: datetime | None) -> None:
    """Refuse a time outside claimtrack.lib.dates' range, whoever calls (page, API, import, admin):
    a BC time cannot be read back from PostgreSQL, one near 9999-12-31 overflows when shown."""
    try:
        validate_seen_time(moment)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def _touch(claim_id: int, at: datetime | None = None) -> None:
    """Move the claim's last activity forward to the event's time (never backwards). Only for
    events everyone sees: a pending submission or suggestion must not move a claim up the lists."""
    at = at or timezone.now()
    Claim.objects.filter(pk=claim_id).update(last_activity_at=Greatest(F("last_activity_at"), Value(at)))


SLUG_ATTEMPTS = 5


@once_per_submission_key(Claim)
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
    submission_key: str | None = None,
) -> Claim:
    """Log a new claim. It starts unverified, and that first status is its first timeline event.

    Two claims with the same text are both logged (two journalists logging the same rumour; they
    are merged later): when both pick the same free slug at once, the second takes the next one."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what the claim is.")})
    _check_time("first_seen_at", first_seen_at)
    first_seen_at = first_seen_at or timezone.now()
    claim = Claim(
        text=text,
        slug=slug or "",
        summary=summary.strip(),
        places=_place_names(places),
        language=language,
        first_seen_at=first_seen_at,
        created_by=created_by,
        submitted_by_partner=submitted_by_partner,
        status=ClaimStatus.UNVERIFIED,
        status_changed_at=first_seen_at,
        last_activity_at=first_seen_at,
        submission_key=submission_key,
    )
    claim.full_clean(exclude=["submission_key", "slug"] if slug is None else ["submission_key"])
    _attribute(claim, created_by)
    for attempt in range(1, SLUG_ATTEMPTS + 1):
        if slug is None:
            claim.slug = _unique_slug(text)
        try:
            with transaction.atomic():
                claim.save()
            break
        except IntegrityError:
            slug_taken_meanwhile = slug is None and Claim.objects.filter(slug=claim.slug).exists()
            if not slug_taken_meanwhile or attempt == SLUG_ATTEMPTS:
                raise
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


def _place_names(places) -> list[str]:
    """The place names, trimmed, blanks dropped, held to models.validate_place_names. Anything but
    a list of strings is refused here: a string would otherwise be split into letters."""
    if not isinstance(places, list | tuple) or not all(isinstance(place, str) for place in places):
        raise ValidationError({"places": _("Places must be a list of place names.")})
    names = [place.strip() for place in places if place.strip()]
    try:
        validate_place_names(names)
    except ValidationError as error:
        raise ValidationError({"places": error.messages}) from None
    return names


def set_tags(*, claim: Claim, names) -> None:
    tags = []
    # Control characters never belong in a tag.
    cleaned = {"".join(ch for ch in n if ch.isprintable()).strip().lower() for n in names if n}
    for name in sorted(n for n in cleaned if n):
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
    _check_time("changed_at", changed_at)
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
    status_change = StatusChange(
        claim_id=claim_id,
        from_status=locked.status,
        to_status=to_status,
        rationale=rationale,
        changed_by=changed_by,
        changed_at=changed_at,
    )
    _attribute(status_change, changed_by)
    status_change.save()
    locked.status, locked.status_changed_at = to_status, changed_at
    _attribute(locked, changed_by)
    locked.save(update_fields=["status", "status_changed_at"])  # recorded in the audit trail
    _touch(claim_id, changed_at)
    if isinstance(claim, Claim):
        claim.status, claim.status_changed_at = to_status, changed_at
    signals.status_changed.send(sender=StatusChange, status_change_id=status_change.pk)
    return status_change


@once_per_submission_key(Appearance)
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
    submission_key: str | None = None,
    submitted_document_url: str = "",
    submitted_document_title: str = "",
) -> Appearance:
    """Record that a source spoke to a claim. Manual appearances are accepted as recorded;
    suggestions start pending until a journalist reviews them. A suggestion may have no stance
    yet (stance "": needs review) when no classifier is installed."""
    stance_left_for_review = stance == "" and origin == Appearance.Origin.SUGGESTED
    if stance not in Stance.values and not stance_left_for_review:
        raise ValidationError({"stance": _("Stance must be asserts, denies or reports.")})
    merged_into_id = Source.objects.filter(pk=source.pk).values_list("merged_into_id", flat=True).first()
    if merged_into_id is not None:  # read from the row: the caller's copy may predate the merge
        raise ValidationError(
            {"source": _("That source was merged into source %(id)s: record it there.") % {"id": merged_into_id}}
        )
    if document is not None and document.source_id != source.pk:
        raise ValidationError({"document": _("That document was published by another source.")})
    _check_time("seen_at", seen_at)
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
        submission_key=submission_key,
        submitted_document_url=submitted_document_url,
        submitted_document_title=submitted_document_title,
    )
    appearance.full_clean(exclude=["submission_key"])
    _attribute(appearance, recorded_by)
    appearance.save()
    if appearance.review_state == Appearance.ReviewState.ACCEPTED:  # pending ones are not shown nor counted
        _touch(claim.pk, appearance.seen_at)
        _enqueue_stance_count_refresh(claim.pk)
    return appearance


def suggest_appearances_for_revision(*, revision_id: int) -> list[Appearance]:
    """Match a stored document revision to the tracked, non-archived claims and record each match as
    a pending suggested appearance, with the classifier's stance, confidence and evidence sentence
    as the quote (no stance when no model is installed).

    A (claim, document) pair that already has an appearance of any kind, in particular a rejected
    suggestion, is never proposed again, so running this twice, or for a later revision of the same
    document, only adds new pairs."""
    from .matching import match_document

    revision = DocumentRevision.objects.select_related("document__source").filter(pk=revision_id).first()
    if revision is None:
        return []
    document = revision.document
    already_appearing = set(Appearance.objects.filter(document=document).values_list("claim_id", flat=True))
    matches = match_document(title=revision.title, text=revision.text, exclude_claim_ids=already_appearing)
    claims = Claim.objects.in_bulk([m.claim_id for m in matches])
    suggestions = []
    for match in matches:
        claim = claims.get(match.claim_id)
        if claim is None:
            continue
        try:
            with transaction.atomic():
                suggestions.append(
                    record_appearance(
                        claim=claim,
                        source=document.source,
                        document=document,
                        stance=match.stance.label if match.stance else "",
                        quote=match.stance.evidence if match.stance else "",
                        confidence=round(match.stance.confidence, 4) if match.stance else None,
                        seen_at=document.published_at or revision.fetched_at,
                        origin=Appearance.Origin.SUGGESTED,
                        review_state=Appearance.ReviewState.PENDING,
                        recorded_by=None,
                    )
                )
        except IntegrityError:  # another worker suggested the same pair a moment ago
            continue
    return suggestions


@transaction.atomic
def retract_appearance(*, appearance: Appearance, retracted_by, reason: str) -> Appearance:
    """Retract (never delete) an appearance; it stays on the timeline, marked as retracted."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the appearance is retracted.")})
    # Locked and read again: two retractions at once must not both see it unretracted.
    locked = Appearance.objects.select_for_update().get(pk=appearance.pk)
    if locked.retracted_at is not None:
        raise _retraction_refusal(_("appearance"), locked)
    appearance.retracted_at = timezone.now()
    appearance.retracted_by = retracted_by
    appearance.retraction_reason = reason
    _attribute(appearance, retracted_by)
    appearance.save(update_fields=["retracted_at", "retracted_by", "retraction_reason"])
    _touch(appearance.claim_id)
    _enqueue_stance_count_refresh(appearance.claim_id)
    return appearance


@once_per_submission_key(Verdict)
@transaction.atomic
def publish_verdict(
    *,
    claim: Claim,
    rating_name: str,
    author,
    summary: str = "",
    published_at: datetime | None = None,
    submission_key: str | None = None,
) -> Verdict:
    """Publish a rating from the configured scale; the newest published verdict is the current one."""
    rating = rating_for_name(rating_name)
    _check_time("published_at", published_at)
    verdict = Verdict(
        claim=claim,
        rating_value=rating["value"],
        rating_name=rating["name"],
        best_rating=rating["best"],
        worst_rating=rating["worst"],
        summary=(summary or "").strip(),
        author=author,
        published_at=published_at or timezone.now(),
        submission_key=submission_key,
    )
    _attribute(verdict, author)
    verdict.save()
    _touch(claim.pk, verdict.published_at)
    signals.verdict_published.send(sender=Verdict, verdict_id=verdict.pk)
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
    submission_key: str | None = None,
) -> Evidence:
    """Store an evidence file under its SHA-256. The caller has checked the type from content."""
    from django.core.files.base import ContentFile

    if claim is None and appearance is None:
        raise ValidationError(_("Evidence must belong to a claim or an appearance."))
    evidence = Evidence(
        sha256=hashlib.sha256(content).hexdigest(),
        content_type=content_type,
        size=len(content),
        original_name=storable_text(original_name)[:255],  # the browser's file name, as sent
        caption=(caption or "").strip(),
        captured_at=captured_at,
        claim=claim if claim is not None else appearance.claim,
        appearance=appearance,
        uploaded_by=uploaded_by,
        submission_key=submission_key,
    )
    evidence.file.save("upload", ContentFile(content), save=False)
    _attribute(evidence, uploaded_by)
    evidence.save()
    if appearance is None or appearance.review_state == Appearance.ReviewState.ACCEPTED:  # not a pending one's
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


@transaction.atomic
def retract_evidence(*, evidence: Evidence, retracted_by, reason: str) -> Evidence:
    """Retract (never delete) an evidence file; it stays listed, struck through, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the evidence is retracted.")})
    # Locked and read again: two retractions at once must not both see it unretracted.
    locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if locked.retracted_at is not None:
        raise _retraction_refusal(_("evidence"), locked)
    evidence.retracted_at = timezone.now()
    evidence.retracted_by = retracted_by
    evidence.retraction_reason = reason
    evidence.save(update_fields=["retracted_at", "retracted_by", "retraction_reason"])
    _touch(evidence.claim_id)
    return evidence


# Evidence files are recognised from their first bytes, never from the name or the browser's
# declared type. SVG and HTML are deliberately absent: served back, they could run script.
_EVIDENCE_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
]


def sniff_evidence_type(content: bytes) -> str | None:
    """The content type of an accepted evidence file, from its content; None if not accepted."""
    for signature, content_type in _EVIDENCE_SIGNATURES:
        if content.startswith(signature):
            return content_type
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


@once_per_submission_key(Evidence)
def upload_evidence(
    *,
    uploaded_file,
    uploaded_by,
    claim: Claim | None = None,
    appearance: Appearance | None = None,
    caption: str = "",
    submission_key: str | None = None,
) -> Evidence:
    """Check an uploaded file (size cap, type from content) and store it as evidence."""
    limit = settings.CLAIMTRACK_EVIDENCE_MAX_BYTES
    if uploaded_file.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than the %(limit)s MB limit.") % {"limit": round(limit / 1_048_576, 1)}}
        )
    content = uploaded_file.read(limit + 1)
    if len(content) > limit:  # the declared size can be wrong
        raise ValidationError(
            {"file": _("The file is larger than the %(limit)s MB limit.") % {"limit": round(limit / 1_048_576, 1)}}
        )
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = sniff_evidence_type(content)
    if content_type is None:
        raise ValidationError({"file": _("Only images (PNG, JPEG, GIF, WebP) and PDF files can be attached.")})
    return attach_evidence(
        content=content,
        content_type=content_type,
        uploaded_by=uploaded_by,
        claim=claim,
        appearance=appearance,
        caption=caption,
        original_name=getattr(uploaded_file, "name", "") or "",
        submission_key=submission_key,
    )


@transaction.atomic
def record_appearance_with_source(
    *,
    claim: Claim,
    recorded_by,
    stance: str,
    quote: str = "",
    seen_at: datetime | None = None,
    source: Source | None = None,
    new_source_name: str = "",
    new_source_kind: str = Source.Kind.NEWS_OUTLET,
    document_url: str = "",
    document_kind: str = Document.Kind.ARTICLE,
    document_title: str = "",
    evidence_files=(),
    evidence_caption: str = "",
    origin: str = Appearance.Origin.MANUAL,
    review_state: str | None = None,
    submitted_by_partner=None,
    submission_key: str | None = None,
) -> Appearance:
    """Record an appearance as a journalist (page) or a partner (API) enters it: an existing source
    or a new one (name, kind), an optional document address (a known address brings its document
    and source with it), and optional evidence files, all or nothing.

    A partner's unknown address creates no document: the address and title are kept on the pending
    appearance, and become a document only when a journalist accepts it (accept_pending_appearance).
    Until then ingestion fetches that address as if no partner had named it. A `submission_key` used
    before makes record_appearance raise AlreadySubmitted, and all this wrote is rolled back."""
    from sources.services import canonicalize_url, get_or_create_document, get_or_create_source

    document = None
    document_url = (document_url or "").strip()
    if document_url:
        try:
            canonical = canonicalize_url(document_url)
        except ValidationError:
            raise ValidationError({"document_url": _("Enter a valid http or https address.")}) from None
        document = Document.objects.select_related("source").filter(canonical_url=canonical).first()
        if document is not None:
            if source is not None and source.pk != document.source_id:
                raise ValidationError(
                    {
                        "source": _(
                            "That address is already known as published by “%(name)s” (source %(id)s): record it with that source."
                        )
                        % {"name": document.source.name, "id": document.source_id}
                    }
                )
            source = document.source
    if source is None:
        if not (new_source_name or "").strip():
            raise ValidationError({"source": _("Pick a source, or give the name of a new one.")})
        try:
            source, _created = get_or_create_source(name=new_source_name, kind=new_source_kind)
        except ValidationError as error:
            raise ValidationError({"new_source_name": error.messages}) from None
    submitted_document_url = submitted_document_title = ""
    if document_url and document is None and origin == Appearance.Origin.PARTNER:
        submitted_document_url, submitted_document_title = document_url, (document_title or "").strip()
    elif document_url and document is None:
        try:
            document, _created = get_or_create_document(
                url=document_url, source=source, kind=document_kind, title=(document_title or "").strip()
            )
        except ValidationError as error:
            raise ValidationError({"document_url": error.messages}) from None
    appearance = record_appearance(
        claim=claim,
        source=source,
        document=document,
        stance=stance,
        quote=quote,
        seen_at=seen_at,
        recorded_by=recorded_by,
        origin=origin,
        review_state=review_state,
        submitted_by_partner=submitted_by_partner,
        submission_key=submission_key,
        submitted_document_url=submitted_document_url,
        submitted_document_title=submitted_document_title,
    )
    for uploaded_file in evidence_files:
        try:
            upload_evidence(
                uploaded_file=uploaded_file, uploaded_by=recorded_by, appearance=appearance, caption=evidence_caption
            )
        except ValidationError as error:
            raise ValidationError({"evidence": error.messages}) from None
    return appearance


@once_per_submission_key(StatusProposal)
@transaction.atomic
def propose_status_change(
    *, claim: Claim, to_status: str, rationale: str, proposed_by, submission_key: str | None = None
) -> StatusProposal:
    """A journalist asks an editor to change the claim's status, once: while their proposal of that
    status is pending, the same proposal again is refused."""
    if to_status not in ClaimStatus.values:
        raise ValidationError({"to_status": _("Unknown status “%(status)s”.") % {"status": to_status}})
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError({"rationale": _("A proposal needs a written rationale.")})
    # The claim row is locked so that two proposals at once are checked one after the other.
    current = Claim.objects.select_for_update().values_list("status", flat=True).get(pk=claim.pk)
    if current == to_status:
        raise ValidationError({"to_status": _("The claim already has this status.")})
    pending = StatusProposal.objects.filter(
        claim=claim, proposed_by=proposed_by, to_status=to_status, state=StatusProposal.State.PENDING
    ).first()
    if pending is not None and submission_key is not None and pending.submission_key == submission_key:
        raise AlreadySubmitted(pending)  # the same form twice at once: this one waited for the lock
    if pending is not None:
        raise ValidationError(
            {
                "to_status": _("You proposed this status at %(when)s; that proposal is still waiting for an editor.")
                % {"when": formats.date_format(timezone.localtime(pending.proposed_at), "Y-m-d H:i")}
            },
            code="already_proposed",
        )
    proposal = StatusProposal.objects.create(
        claim=claim,
        from_status=current,
        to_status=to_status,
        rationale=rationale,
        proposed_by=proposed_by,
        submission_key=submission_key,
    )
    _touch(claim.pk, proposal.proposed_at)
    return proposal


def _lock_pending_proposal(proposal: StatusProposal) -> StatusProposal:
    locked = StatusProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != StatusProposal.State.PENDING:
        raise ValidationError(
            _("This proposal was already decided (%(state)s).") % {"state": locked.get_state_display()}
        )
    return locked


@transaction.atomic
def approve_status_proposal(*, proposal: StatusProposal, decided_by, decision_note: str = "") -> StatusChange:
    """An editor applies a proposal. The status change carries the editor's decision note as its
    rationale, or else the proposal's; if the status moved since it was proposed, StatusConflict is
    raised."""
    locked = _lock_pending_proposal(proposal)
    status_change = change_status(
        claim=locked.claim_id,
        to_status=locked.to_status,
        rationale=(decision_note or "").strip() or locked.rationale,
        changed_by=decided_by,
        expected_status=locked.from_status,
    )
    locked.state = StatusProposal.State.APPROVED
    locked.decided_by = decided_by
    locked.decided_at = status_change.changed_at
    locked.decision_note = (decision_note or "").strip()
    locked.status_change = status_change
    locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "status_change"])
    return status_change


@transaction.atomic
def reject_status_proposal(*, proposal: StatusProposal, decided_by, decision_note: str = "") -> StatusProposal:
    locked = _lock_pending_proposal(proposal)
    locked.state = StatusProposal.State.REJECTED
    locked.decided_by = decided_by
    locked.decided_at = timezone.now()
    locked.decision_note = (decision_note or "").strip()
    locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    return locked


def _lock_pending_appearance(appearance: Appearance) -> Appearance:
    locked = Appearance.objects.select_for_update().get(pk=appearance.pk)
    if locked.review_state != Appearance.ReviewState.PENDING:
        raise ValidationError(
            _("This appearance was already reviewed (%(state)s).") % {"state": locked.get_review_state_display()}
        )
    if locked.retracted_at is not None:
        raise ValidationError(_("This appearance was retracted; it can no longer be reviewed."))
    return locked


@transaction.atomic
def accept_pending_appearance(
    *,
    appearance: Appearance,
    reviewed_by,
    stance: str | None = None,
    quote: str | None = None,
    seen_at: datetime | None = None,
) -> Appearance:
    """Accept a pending appearance (an ingestion suggestion or a partner's submission), optionally
    corrected first (stance, quote, time). It then counts towards the claim's stance counts. A
    partner's document address becomes a document now (see _document_for_submission)."""
    locked = _lock_pending_appearance(appearance)
    if locked.document_id is None and locked.submitted_document_url:
        locked.document = _document_for_submission(locked)
    if stance is not None:
        if stance not in Stance.values:
            raise ValidationError({"stance": _("Stance must be asserts, denies or reports.")})
        locked.stance = stance
    if quote is not None:
        locked.quote = quote.strip()
    if seen_at is not None:
        locked.seen_at = seen_at
    _check_time("seen_at", locked.seen_at)  # also one stored before times were checked: correct it first
    if not locked.stance:
        raise ValidationError({"stance": _("The classifier could not tell the stance: choose it before accepting.")})
    locked.review_state = Appearance.ReviewState.ACCEPTED
    locked.reviewed_by = reviewed_by
    locked.reviewed_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["document", "stance", "quote", "seen_at", "review_state", "reviewed_by", "reviewed_at"])
    # Accepting publishes it: the claim changed now (API clients syncing by updated_since see it),
    # or at the appearance's time if that is later.
    _touch(locked.claim_id, max(locked.seen_at, locked.reviewed_at))
    _enqueue_stance_count_refresh(locked.claim_id)
    return locked


def _document_for_submission(appearance: Appearance) -> Document:
    """The document a partner's submitted address names, found by canonical URL or created with the
    partner's title. A document already known (ingestion may have fetched it meanwhile) keeps its
    own source and title; if its source is not the one the partner named, acceptance is refused."""
    from sources.services import get_or_create_document

    try:
        document, _created = get_or_create_document(
            url=appearance.submitted_document_url,
            source=appearance.source,
            title=appearance.submitted_document_title,
        )
    except ValidationError as error:
        raise ValidationError({"document": error.messages}) from None
    if document.source_id != appearance.source_id:
        raise ValidationError(
            {
                "document": _(
                    "The partner says “%(named)s” published this, but the address is known as published by "
                    "“%(publisher)s” (source %(id)s). Reject the submission, and record the appearance "
                    "with the right source if it stands."
                )
                % {"named": appearance.source.name, "publisher": document.source.name, "id": document.source_id}
            }
        )
    return document


@transaction.atomic
def reject_pending_appearance(*, appearance: Appearance, reviewed_by) -> Appearance:
    """Reject a pending appearance. The rejected row stays: matching never proposes the same
    (claim, document) pair again."""
    locked = _lock_pending_appearance(appearance)
    locked.review_state = Appearance.ReviewState.REJECTED
    locked.reviewed_by = reviewed_by
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["review_state", "reviewed_by", "reviewed_at"])
    return locked  # it was pending, so never counted: the stance counts stay as they are


# Sources ----------------------------------------------------------------------------------------
# Merging two sources lives here, above sources: the absorbed source's appearances (claims' rows)
# move with its documents and feeds in one transaction, and the stance counts of every claim they
# touch are recomputed (two sources asserting a claim become one).

SOURCE_MERGE_REASON_MAX_LENGTH = 2000


@once_per_submission_key(SourceMerge)
@transaction.atomic
def merge_sources(
    *, absorbed: Source, into: Source, merged_by, reason: str, submission_key: str | None = None
) -> SourceMerge:
    """Merge a duplicate source into the one that stays: its appearances, documents and feeds move
    to `into`, it keeps its row and points to `into` (its page and API detail then redirect), and a
    SourceMerge row records who, why and what moved. Nothing is deleted. Refused, with nothing
    changed: a source into itself, a source already merged, into a merged source, no reason."""
    from sources.services import absorb_source, lock_sources_for_merge

    reason = storable_text(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why these sources are the same.")})
    if len(reason) > SOURCE_MERGE_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason under %(n)s characters.") % {"n": SOURCE_MERGE_REASON_MAX_LENGTH}}
        )
    absorbed, into = lock_sources_for_merge(absorbed=absorbed, into=into)
    moved = list(Appearance.objects.filter(source=absorbed).order_by("pk").values_list("pk", "claim_id"))
    appearance_ids = [pk for pk, _claim_id in moved]
    update_recorded(Appearance, appearance_ids, values={"source": into}, user=merged_by)
    claim_ids = sorted({claim_id for _pk, claim_id in moved})
    recompute_stance_counts_of(claim_ids=claim_ids)
    return absorb_source(
        absorbed=absorbed,
        into=into,
        merged_by=merged_by,
        reason=reason,
        moved={"appearances": appearance_ids, "claims": claim_ids},
        submission_key=submission_key,
    )


def recompute_stance_counts_of(*, claim_ids: list[int]) -> None:
    """recompute_stance_counts for many claims at once: one grouped count, one update per claim
    whose counts changed."""
    if not claim_ids:
        return
    counts = dict.fromkeys(claim_ids, (0, 0, 0))
    grouped = (
        Appearance.objects.filter(
            claim_id__in=claim_ids, review_state=Appearance.ReviewState.ACCEPTED, retracted_at__isnull=True
        )
        .values("claim_id")
        .annotate(
            asserts=Count("source", filter=Q(stance=Stance.ASSERTS), distinct=True),
            denies=Count("source", filter=Q(stance=Stance.DENIES), distinct=True),
            reports=Count("source", filter=Q(stance=Stance.REPORTS), distinct=True),
        )
        .order_by()
    )
    for row in grouped:
        counts[row["claim_id"]] = (row["asserts"], row["denies"], row["reports"])
    current = Claim.objects.filter(pk__in=claim_ids).values_list("pk", "asserts_count", "denies_count", "reports_count")
    for claim_id, *stored in current:
        if tuple(stored) != counts[claim_id]:
            asserts, denies, reports = counts[claim_id]
            Claim.objects.filter(pk=claim_id).update(asserts_count=asserts, denies_count=denies, reports_count=reports)
