"""Writes to the claims domain: one function per business action.

Views, API, admin, management commands and tasks call these; nothing else writes claims,
appearances, status changes or verdicts. Each function validates its input and raises
django.core.exceptions.ValidationError with a message a person can act on.
"""

import functools
import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.services import update_recorded
from claimtrack.lib.languages import detect_language, is_language_tag
from claimtrack.lib.text import storable_text
from claimtrack.validators import validate_seen_time
from sources.models import Document, DocumentAvailabilityChange, DocumentRevision, Source, SourceMerge

from . import notifications, signals
from .models import (
    COUNTED_APPEARANCES,
    NOTE_MAX_LENGTH,
    OFFICIAL_APPEARANCES,
    WORDING_MAX_LENGTH,
    Appearance,
    Assignment,
    Claim,
    ClaimEdit,
    ClaimMerge,
    ClaimStatus,
    ClaimWording,
    Evidence,
    Follow,
    MergeProposal,
    Note,
    Stance,
    StatusChange,
    StatusProposal,
    StoredReport,
    Tag,
    Verdict,
    validate_place_names,
)
from .ratings import rating_for_name

INITIAL_RATIONALE = "Claim logged."


class StatusConflict(ValidationError):
    """Somebody else changed the status since the editor loaded the page."""


class MergedAway(ValidationError):
    """The claim was merged into another: it takes no new writes; `survivor_id` is where they go."""

    def __init__(self, claim_id: int, survivor_id: int):
        self.survivor_id = survivor_id
        super().__init__(
            _("Claim %(claim)s was merged into claim %(survivor)s: work on claim %(survivor)s instead.")
            % {"claim": claim_id, "survivor": survivor_id},
            code="merged_away",
        )


class MergeRefused(ValidationError):
    """A merge that must not happen (into itself, into or from a merged claim, a loop, two verdicts
    and no say which stands): nothing was changed."""


def lock_unmerged_claim(claim_id: int) -> Claim:
    """Lock the claim's row for this transaction and return it; MergedAway if it was merged into
    another. Services that add to a claim call this first, so a write racing a merge either lands
    before it (and moves with it) or is refused after it."""
    claim = Claim.objects.select_for_update().get(pk=claim_id)
    if claim.merged_into_id is not None:
        raise MergedAway(claim_id, claim.merged_into_id)
    return claim


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
    """Move the claim's last activity forward to the event's time (never backwards), and its
    timeline_version on by one, so an open claim page sees the event (the live page's ETag), even
    one dated in the past. Only for events everyone sees: a pending submission or suggestion must
    not move a claim up the lists. Every service that adds to a claim's timeline calls this."""
    at = at or timezone.now()
    Claim.objects.filter(pk=claim_id).update(
        last_activity_at=Greatest(F("last_activity_at"), Value(at)), timeline_version=F("timeline_version") + 1
    )


def refresh_stored_report(*, name: str) -> None:
    """Compute a stored report (claims.reports.STORED_REPORTS) again and keep it, replacing the last
    one; the reports page reads it from there. Safe to run twice."""
    from .reports import STORED_REPORTS

    rows = STORED_REPORTS[name]()
    StoredReport.objects.update_or_create(name=name, defaults={"rows": rows, "computed_at": timezone.now()})


def touch_claims_citing(*, change_id: int) -> None:
    """A document's page was removed, moved or came back (sources' DocumentAvailabilityChange): the
    timelines of the claims with an accepted appearance in it show it, so their open pages update."""
    change = DocumentAvailabilityChange.objects.filter(pk=change_id).first()
    if change is None:
        return
    claim_ids = Appearance.objects.filter(
        document_id=change.document_id, review_state=Appearance.ReviewState.ACCEPTED
    ).values_list("claim_id", flat=True)
    for claim_id in sorted(set(claim_ids)):
        _touch(claim_id, change.checked_at)


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
    language = (language or "").strip()
    if not language:  # left blank: the language the text is in (the journalist can change it)
        language = detect_language(text)
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
    notifications.follow_claim(claim_id=claim.pk, user=created_by, reason=Follow.Reason.LOGGED)
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


def tag_names(names) -> list[str]:
    """Tag names as stored: printable, trimmed, lower case, at most 64 characters, sorted, once each."""
    # Control characters never belong in a tag.
    cleaned = {"".join(ch for ch in n if ch.isprintable()).strip().lower()[:64] for n in names if n}
    return sorted(n for n in cleaned if n)


def set_tags(*, claim: Claim, names) -> None:
    tags = []
    for name in tag_names(names):
        tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    claim.tags.set(tags)


# The claim's own fields that update_claim edits, in the order ClaimEdit.changes lists them.
EDITABLE_CLAIM_FIELDS = ("text", "summary", "tags", "places", "language", "first_seen_at")


def _same(new, old) -> bool:
    """Whether an edit leaves a value as it is; a browser's CRLF line ends are the stored LF ones."""
    if isinstance(new, str) and isinstance(old, str):
        return new.replace("\r\n", "\n") == old.replace("\r\n", "\n")
    return new == old


def _check_lengths(instance, fields) -> None:
    """Refuse text longer than its field's max_length, which Django does not check for a TextField."""
    for field in fields:
        limit = instance._meta.get_field(field).max_length
        value = getattr(instance, field)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            raise ValidationError(
                {
                    field: _("At most %(limit)d characters (this has %(length)d).")
                    % {"limit": limit, "length": len(value)}
                }
            )


def _edit_value(field: str, value):
    """A field's value as ClaimEdit.changes keeps it (JSON): times as ISO strings."""
    return value.isoformat() if isinstance(value, datetime) else value


@once_per_submission_key(ClaimEdit)
@transaction.atomic
def update_claim(
    *,
    claim_id: int,
    edited_by,
    text: str | None = None,
    summary: str | None = None,
    tags: list[str] | tuple | None = None,
    places: list[str] | tuple | None = None,
    language: str | None = None,
    first_seen_at: datetime | None = None,
    submission_key: str | None = None,
) -> ClaimEdit | None:
    """Edit a claim's own fields. Only the fields given (not None) are compared, and only those
    that differ change: they are written with `updated_at`, a ClaimEdit row keeps {field: [old,
    new]}, and the claim's last activity moves on (API clients syncing with updated_since see it;
    an open claim page shows it). Nothing changed: nothing is written, None is returned.

    Under the claim's row lock, so two edits at once are applied one after the other and each
    records what it really changed. A claim merged away is not edited (MergedAway). Search
    and matching read the claim row's search_text, which Claim.save() rewrites with the text
    (PostgreSQL's generated vector and indexes, SQLite's FTS table kept by a trigger on UPDATE OF
    search_text), so they follow the new text in the same commit."""
    locked = lock_unmerged_claim(claim_id)
    wanted = {}
    if text is not None:
        wanted["text"] = storable_text(text).strip()
        if not wanted["text"]:
            raise ValidationError({"text": _("Say what the claim is.")})
    if summary is not None:
        wanted["summary"] = storable_text(summary).strip()
    if places is not None:
        wanted["places"] = _place_names(places)
    if language is not None:
        wanted["language"] = storable_text(language).strip()
    if first_seen_at is not None:
        _check_time("first_seen_at", first_seen_at)
        wanted["first_seen_at"] = first_seen_at
    current_tags = sorted(locked.tags.values_list("name", flat=True))
    if tags is not None:
        if not isinstance(tags, list | tuple) or not all(isinstance(name, str) for name in tags):
            raise ValidationError({"tags": _("Tags must be a list of names.")})
        wanted["tags"] = tag_names(storable_text(name) for name in tags)
    current = {field: current_tags if field == "tags" else getattr(locked, field) for field in EDITABLE_CLAIM_FIELDS}
    changed = [field for field in EDITABLE_CLAIM_FIELDS if field in wanted and not _same(wanted[field], current[field])]
    if not changed:
        return None
    columns = [field for field in changed if field != "tags"]
    for field in columns:
        setattr(locked, field, wanted[field])
    _check_lengths(locked, columns)
    locked.clean_fields(exclude=[f.name for f in Claim._meta.fields if f.name not in columns])
    now = timezone.now()
    locked.updated_at = now
    _attribute(locked, edited_by)
    locked.save(update_fields=[*columns, "updated_at"])  # recorded in the audit trail
    if "tags" in changed:
        set_tags(claim=locked, names=wanted["tags"])
    edit = ClaimEdit.objects.create(
        claim=locked,
        edited_by=edited_by,
        edited_at=now,
        changes={field: [_edit_value(field, current[field]), _edit_value(field, wanted[field])] for field in changed},
        submission_key=submission_key,
    )
    _touch(claim_id, now)
    return edit


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
    locked = lock_unmerged_claim(claim_id)
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
    _recompute_clocks([claim_id])
    _touch(claim_id, changed_at)
    if isinstance(claim, Claim):
        claim.status, claim.status_changed_at = to_status, changed_at
    signals.status_changed.send(sender=StatusChange, status_change_id=status_change.pk)
    notifications.status_changed(status_change)
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
    revision: DocumentRevision | None = None,
    supersedes: Appearance | None = None,
    passage_sha256: str = "",
) -> Appearance:
    """Record that a source spoke to a claim. Manual appearances are accepted as recorded;
    suggestions and story changes start pending until a journalist reviews them. Those may have no
    stance yet (stance "": needs review) when no classifier is installed."""
    awaits_review = origin in (Appearance.Origin.SUGGESTED, Appearance.Origin.REVISION)
    stance_left_for_review = stance == "" and awaits_review
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
    lock_unmerged_claim(claim.pk)
    if review_state is None:
        review_state = Appearance.ReviewState.PENDING if awaits_review else Appearance.ReviewState.ACCEPTED
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
        revision=revision,
        supersedes=supersedes,
        passage_sha256=passage_sha256,
    )
    appearance.full_clean(exclude=["submission_key"])
    _attribute(appearance, recorded_by)
    appearance.save()
    if appearance.review_state == Appearance.ReviewState.ACCEPTED:  # pending ones are not shown nor counted
        _touch(claim.pk, appearance.seen_at)
        recompute_stance_counts(claim_id=claim.pk)
    if not awaits_review:  # ingestion's are told once per revision (suggestions_recorded)
        notifications.appearance_recorded(appearance, by=recorded_by)
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
                        revision=revision,
                    )
                )
        except IntegrityError:  # another worker suggested the same pair a moment ago
            continue
        except MergedAway:  # merged since it was matched: the survivor is matched on its own
            continue
    notifications.suggestions_recorded(suggestions)
    return suggestions


def _previous_revision(revision: DocumentRevision) -> DocumentRevision | None:
    return (
        DocumentRevision.objects.filter(document_id=revision.document_id)
        .filter(Q(fetched_at__lt=revision.fetched_at) | Q(fetched_at=revision.fetched_at, pk__lt=revision.pk))
        .order_by("-fetched_at", "-id")
        .first()
    )


def _passage_sha256(passage: str) -> str:
    return hashlib.sha256(passage.encode()).hexdigest()


def suggest_story_changes_for_revision(*, revision_id: int) -> list[Appearance]:
    """Re-check every standing appearance (accepted, neither retracted nor superseded) of a document
    that was rewritten, against its claim. When what the new revision says about the claim (its
    passage: the sentences sharing the claim's words) changed and it now supports another stance
    than the appearance records, or the quoted words are gone, a "story changed" appearance waits
    for review: origin revision, the new stance and evidence sentence, `supersedes` the standing one.

    A page that changes elsewhere on every fetch (a timestamp, a sidebar) keeps its passage, so it
    raises nothing; a passage is raised at most once per appearance (a unique constraint), so a
    rejected story change stays rejected, and running this twice adds nothing."""
    from stance.reading import passage_about, read_document, says_still

    revision = DocumentRevision.objects.select_related("document").filter(pk=revision_id).first()
    previous = _previous_revision(revision) if revision is not None else None
    if previous is None:  # unknown, or the document as first seen: nothing was rewritten
        return []
    standing = list(
        Appearance.objects.filter(
            COUNTED_APPEARANCES, document_id=revision.document_id, claim__merged_into__isnull=True
        )
        .select_related("claim", "source")
        .order_by("id")
    )
    if not standing:
        return []
    now = read_document(title=revision.title, text=revision.text)
    before = None  # read only if some passage changed
    story_changes = []
    for appearance in standing:
        if appearance.revision_id is not None and appearance.revision_id >= revision.pk:
            continue  # judged on this revision or a later one already (an accepted story change)
        claim_text = appearance.claim.text
        passage = passage_about(claim_text, title=revision.title, text=revision.text)
        if passage == passage_about(claim_text, title=previous.title, text=previous.text):
            continue
        # Gone only if it was there: a journalist's paraphrase or translation never was.
        quote_gone = says_still(appearance.quote, title=previous.title, text=previous.text) and not says_still(
            appearance.quote, title=revision.title, text=revision.text
        )
        stance = now.stance_on(claim_text)
        if stance is None:  # no model installed: only a quote that is gone tells, the reviewer gives the stance
            changed = quote_gone
        else:
            before = before or read_document(title=previous.title, text=previous.text)
            # The classifier's own reading of the earlier revision, not only the journalist's: a
            # stance it never agreed with is not news when the passage merely moved.
            stance_before = before.stance_on(claim_text)
            changed = quote_gone or (stance.label != appearance.stance and stance.label != stance_before.label)
        if not changed:
            continue
        try:
            with transaction.atomic():
                story_changes.append(
                    record_appearance(
                        claim=appearance.claim,
                        source=appearance.source,
                        document=revision.document,
                        stance=stance.label if stance else "",
                        quote=stance.evidence if stance else "",
                        confidence=round(stance.confidence, 4) if stance else None,
                        seen_at=revision.fetched_at,
                        origin=Appearance.Origin.REVISION,
                        review_state=Appearance.ReviewState.PENDING,
                        recorded_by=None,
                        revision=revision,
                        supersedes=appearance,
                        passage_sha256=_passage_sha256(passage),
                    )
                )
        except IntegrityError:  # this passage was raised before (and perhaps rejected)
            continue
        except ValidationError:  # merged away, or its source merged since: re-checked where it went
            continue
    notifications.suggestions_recorded(story_changes)
    return story_changes


@transaction.atomic
def _mark_retracted(item, *, what: str, missing_reason: str, retracted_by, reason: str) -> None:
    """Retract an appearance, evidence or note: never deleted, it stays shown, marked, with the
    reason. A second retraction is refused naming the first."""
    reason = storable_text(reason).strip()
    if not reason:
        raise ValidationError({"reason": missing_reason})
    # The claim first (the order a merge locks in, so the two never deadlock; nothing is retracted
    # on a claim merged away), then the item, read again: two retractions at once must not both
    # see it unretracted.
    if item.claim_id is not None:
        lock_unmerged_claim(item.claim_id)
    locked = type(item).objects.select_for_update().get(pk=item.pk)
    _refuse_if_moved_by_merge(item, locked)
    if locked.retracted_at is not None:
        raise _retraction_refusal(what, locked)
    item.retracted_at = timezone.now()
    item.retracted_by = retracted_by
    item.retraction_reason = reason
    _attribute(item, retracted_by)
    item.save(update_fields=["retracted_at", "retracted_by", "retraction_reason"])
    _touch(item.claim_id)


@transaction.atomic
def retract_appearance(*, appearance: Appearance, retracted_by, reason: str) -> Appearance:
    """Retract (never delete) an appearance; it stays on the timeline, marked as retracted."""
    _mark_retracted(
        appearance,
        what=_("appearance"),
        missing_reason=_("Say why the appearance is retracted."),
        retracted_by=retracted_by,
        reason=reason,
    )
    if appearance.supersedes_id is not None and appearance.review_state == Appearance.ReviewState.ACCEPTED:
        # A story change accepted by mistake: what the source said before stands (and counts) again.
        replaced = Appearance.objects.select_for_update().get(pk=appearance.supersedes_id)
        replaced.superseded_at = None
        _attribute(replaced, retracted_by)
        replaced.save(update_fields=["superseded_at"])
    recompute_stance_counts(claim_id=appearance.claim_id)
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
    lock_unmerged_claim(claim.pk)
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
    return _save_verdict(verdict, author)


def _save_verdict(verdict: Verdict, author) -> Verdict:
    """Publish a verdict row: save it, move its claim's activity, announce it to partners."""
    _attribute(verdict, author)
    verdict.save()
    _recompute_clocks([verdict.claim_id])
    _touch(verdict.claim_id, verdict.published_at)
    signals.verdict_published.send(sender=Verdict, verdict_id=verdict.pk)
    notifications.verdict_published(verdict)
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
    lock_unmerged_claim(claim.pk if claim is not None else appearance.claim_id)
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


@transaction.atomic
def recompute_stance_counts(*, claim_id: int) -> Claim | None:
    """Count distinct sources per stance among accepted, unretracted appearances. Idempotent.

    Called inside every write that changes what is counted (record, accept, retract), so the counts
    are right the moment it commits, with or without a worker; the refresh_stance_counts task runs
    it as a repair. The claim row is locked first (FOR NO KEY UPDATE, which an appearance's foreign
    key check does not block): a second writer waits for the first to commit and then counts its
    appearance too, rather than overwriting the counts with a total that misses it."""
    if not list(Claim.objects.select_for_update(no_key=True).filter(pk=claim_id).values_list("pk", flat=True)):
        return None
    counted = Appearance.objects.filter(COUNTED_APPEARANCES, claim_id=claim_id)
    counts = counted.aggregate(
        asserts=Count("source", filter=Q(stance=Stance.ASSERTS), distinct=True),
        denies=Count("source", filter=Q(stance=Stance.DENIES), distinct=True),
        reports=Count("source", filter=Q(stance=Stance.REPORTS), distinct=True),
    )
    Claim.objects.filter(pk=claim_id).update(
        asserts_count=counts["asserts"], denies_count=counts["denies"], reports_count=counts["reports"]
    )
    _recompute_clocks([claim_id])
    return Claim.objects.filter(pk=claim_id).first()


# What the claim's clock counts: accepted, unretracted appearances. Unlike COUNTED_APPEARANCES a
# superseded one still counts: the source did say it then.
CLOCK_APPEARANCES = Q(review_state=Appearance.ReviewState.ACCEPTED, retracted_at__isnull=True)


def _first(model, time_field: str, condition: Q):
    """The earliest `time_field` among the outer claim's `model` rows matching `condition`."""
    return Subquery(
        model.objects.filter(condition, claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(first=Min(time_field))
        .values("first")[:1]
    )


def _recompute_clocks(claim_ids: list[int]) -> None:
    """The claims' clocks (models.CLOCK_FIELDS), from scratch, in one UPDATE whatever the number of
    appearances: called in the writing transaction by recompute_stance_counts(_of), change_status
    and _save_verdict. The first status change is the first after the claim was logged (not the
    initial "unverified" row); official is models.OFFICIAL_APPEARANCES."""
    if not claim_ids:
        return
    Claim.objects.filter(pk__in=claim_ids).update(
        first_appearance_at=_first(Appearance, "seen_at", CLOCK_APPEARANCES),
        first_denial_at=_first(Appearance, "seen_at", CLOCK_APPEARANCES & Q(stance=Stance.DENIES)),
        first_official_at=_first(Appearance, "seen_at", CLOCK_APPEARANCES & OFFICIAL_APPEARANCES),
        first_status_change_at=_first(StatusChange, "changed_at", ~Q(from_status="")),
        first_verdict_at=_first(Verdict, "published_at", Q()),
    )


@transaction.atomic
def retract_evidence(*, evidence: Evidence, retracted_by, reason: str) -> Evidence:
    """Retract (never delete) an evidence file; it stays listed, struck through, with the reason."""
    _mark_retracted(
        evidence,
        what=_("evidence"),
        missing_reason=_("Say why the evidence is retracted."),
        retracted_by=retracted_by,
        reason=reason,
    )
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
    current = lock_unmerged_claim(claim.pk).status
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


def _refuse_if_moved_by_merge(item, locked) -> None:
    if locked.claim_id != item.claim_id:
        raise ValidationError(
            _("This was moved to claim %(claim)s by a merge: reload the page.") % {"claim": locked.claim_id},
            code="moved_by_merge",
        )


def _lock_pending_appearance(appearance: Appearance) -> Appearance:
    # The claim first, then the appearance: the order a merge locks in, so the two never deadlock;
    # a suggestion left behind on a claim merged away is no longer reviewed (MergedAway).
    lock_unmerged_claim(appearance.claim_id)
    locked = Appearance.objects.select_for_update().get(pk=appearance.pk)
    _refuse_if_moved_by_merge(appearance, locked)
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
    if locked.supersedes_id is not None:
        _supersede(locked)
    locked.save(update_fields=["document", "stance", "quote", "seen_at", "review_state", "reviewed_by", "reviewed_at"])
    if locked.supersedes_id is not None:
        signals.appearance_revised.send(sender=Appearance, appearance_id=locked.pk)
    # Accepting publishes it: the claim changed now (API clients syncing by updated_since see it),
    # or at the appearance's time if that is later.
    _touch(locked.claim_id, max(locked.seen_at, locked.reviewed_at))
    recompute_stance_counts(claim_id=locked.claim_id)
    notifications.appearance_recorded(locked, by=reviewed_by)
    return locked


def _supersede(story_change: Appearance) -> None:
    """Accepting a story change: the appearance it replaces is kept as it was, marked superseded (it
    stays on the timeline and stops being counted); other story changes waiting to replace it are
    settled by this decision and closed as rejected."""
    replaced = Appearance.objects.select_for_update().get(pk=story_change.supersedes_id)
    if replaced.superseded_at is not None:
        raise ValidationError(_("The appearance this story change would replace was already superseded."))
    if replaced.retracted_at is not None:
        raise ValidationError(_("The appearance this story change would replace was retracted: reject it instead."))
    replaced.superseded_at = story_change.reviewed_at
    _attribute(replaced, story_change.reviewed_by)
    replaced.save(update_fields=["superseded_at"])
    settled = Appearance.objects.select_for_update().filter(
        supersedes_id=replaced.pk, review_state=Appearance.ReviewState.PENDING
    )
    for other in settled.exclude(pk=story_change.pk):
        other.review_state = Appearance.ReviewState.REJECTED
        other.reviewed_by, other.reviewed_at = story_change.reviewed_by, story_change.reviewed_at
        _attribute(other, story_change.reviewed_by)
        other.save(update_fields=["review_state", "reviewed_by", "reviewed_at"])


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


# Notes and assignments: the newsroom's own work on a claim, never shown to partners -----------

# More distinct @mentions than this in one note is not a discussion but a paste.
MAX_MENTIONS_PER_NOTE = 20


def _mentioned_users(text: str) -> list:
    """The newsroom users a note's @mentions name, in the order first mentioned. A name that is no
    user, or a user without a newsroom role, is refused naming it: a mention nobody receives is a
    message lost."""
    from .mentions import mentioned_usernames
    from .selectors import newsroom_users

    names = mentioned_usernames(text)
    if not names:
        return []
    if len(names) > MAX_MENTIONS_PER_NOTE:
        raise ValidationError(
            {"text": _("A note mentions at most %(limit)d people.") % {"limit": MAX_MENTIONS_PER_NOTE}},
            code="too_many_mentions",
        )
    user_model = get_user_model()
    matches = Q()
    for name in names:
        matches |= Q(username__iexact=name)
    found = {user.username.lower(): user for user in user_model.objects.filter(matches)}
    newsroom = set(newsroom_users().filter(pk__in=[user.pk for user in found.values()]).values_list("pk", flat=True))
    unknown = [name for name in names if name.lower() not in found]
    if unknown:
        raise ValidationError(
            {"text": _("No newsroom user %(names)s.") % {"names": ", ".join(f"@{name}" for name in unknown)}},
            code="unknown_mention",
        )
    outside = [name for name in names if found[name.lower()].pk not in newsroom]
    if outside:
        raise ValidationError(
            {
                "text": _("%(names)s has no newsroom role: mention journalists and editors only.")
                % {"names": ", ".join(f"@{name}" for name in outside)}
            },
            code="mention_outside_newsroom",
        )
    return [found[name.lower()] for name in names]


@once_per_submission_key(Note)
@transaction.atomic
def add_note(*, claim_id: int, author, text: str, submission_key: str | None = None) -> Note:
    """Add a note to the claim's internal discussion: plain text, append-only, its @mentions of
    journalists and editors resolved (`note.mentions`, for notifying them). Moves the claim's last
    activity. Never shown to partners, on the public page or in ClaimReview."""
    text = storable_text(text).strip()
    if not text:
        raise ValidationError({"text": _("Write the note first: it is empty.")}, code="empty_note")
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("A note has at most %(limit)d characters (this one has %(length)d).")
                % {"limit": NOTE_MAX_LENGTH, "length": len(text)}
            },
            code="note_too_long",
        )
    mentioned = _mentioned_users(text)
    lock_unmerged_claim(claim_id)
    note = Note(claim_id=claim_id, author=author, text=text, submission_key=submission_key)
    _attribute(note, author)
    note.save()
    note.mentions.set(mentioned)
    _touch(claim_id, note.created_at)
    notifications.notify_mentioned(note.pk)
    return note


@transaction.atomic
def retract_note(*, note: Note, retracted_by, reason: str) -> Note:
    """Retract (never delete or edit) a note: it stays in the discussion, marked, with the reason.
    Who may is claims.permissions.may_retract (its author, or an editor)."""
    _mark_retracted(
        note,
        what=_("note"),
        missing_reason=_("Say why the note is retracted."),
        retracted_by=retracted_by,
        reason=reason,
    )
    return note


# Wordings ------------------------------------------------------------------------------------


def _refresh_search_text(claim: Claim) -> None:
    claim.search_text = claim.searchable_text()
    claim.save(update_fields=["search_text"])


@transaction.atomic
def add_claim_wording(*, claim_id: int, text: str, language: str, added_by=None, is_translation: bool = True):
    """Add the claim worded in another language ("the same claim in Arabic"), or as it circulates:
    search, the similar-claims warning and matching then use it (Claim.search_text, refreshed in
    the same transaction); the API, ClaimReview and the public page carry it. The same words in the
    same language twice (a double click) make one wording: the existing one is returned."""
    text = storable_text(text).strip()
    language = storable_text(language).strip().lower()
    errors = {}
    if not text:
        errors["text"] = _("Write the claim's wording first: it is empty.")
    elif len(text) > WORDING_MAX_LENGTH:
        errors["text"] = _("A wording has at most %(limit)d characters (this one has %(length)d).") % {
            "limit": WORDING_MAX_LENGTH,
            "length": len(text),
        }
    if not is_language_tag(language):
        errors["language"] = _("Give the wording's language as a language tag, e.g. ar, ckb, en.")
    if errors:
        raise ValidationError(errors, code="invalid_wording")
    claim = lock_unmerged_claim(claim_id)
    existing = ClaimWording.objects.filter(
        claim_id=claim.pk, language=language, text=text, retracted_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    wording = ClaimWording(
        claim_id=claim.pk, text=text, language=language, is_translation=is_translation, created_by=added_by
    )
    _attribute(wording, added_by)
    try:
        with transaction.atomic():
            wording.save()
    except IntegrityError:
        # Added by someone else between our look and our write: theirs stands.
        return ClaimWording.objects.get(claim_id=claim.pk, language=language, text=text, retracted_at__isnull=True)
    _refresh_search_text(claim)
    _touch(claim.pk, wording.created_at)
    return wording


@transaction.atomic
def retract_claim_wording(*, wording: ClaimWording, retracted_by, reason: str) -> ClaimWording:
    """Retract (never delete or edit) a wording: search and matching stop using it; it stays in the
    audit trail with the reason."""
    _mark_retracted(
        wording,
        what=_("wording"),
        missing_reason=_("Say why the wording is retracted."),
        retracted_by=retracted_by,
        reason=reason,
    )
    _refresh_search_text(Claim.objects.get(pk=wording.claim_id))
    return wording


def _check_newsroom_user(user) -> None:
    from .selectors import newsroom_users

    if user is None or not newsroom_users().filter(pk=user.pk).exists():
        name = user.get_username() if user is not None else "?"
        raise ValidationError(
            {"user": _("%(name)s has no newsroom role: assign journalists and editors only.") % {"name": name}},
            code="not_newsroom",
        )


@transaction.atomic
def assign_claim(*, claim_id: int, user, assigned_by) -> Assignment | None:
    """Put a newsroom user on the claim (a claim may have several). Someone already on it stays
    assigned as they are: nothing is written and None is returned. Moves the claim's last activity."""
    _check_newsroom_user(user)
    lock_unmerged_claim(claim_id)  # two assignments of the same user at once: one waits
    if Assignment.objects.filter(claim_id=claim_id, user=user, unassigned_at__isnull=True).exists():
        return None
    assignment = Assignment(claim_id=claim_id, user=user, assigned_by=assigned_by)
    _attribute(assignment, assigned_by)
    assignment.save()
    _touch(claim_id, assignment.assigned_at)
    notifications.notify_assigned(assignment.pk)
    return assignment


@transaction.atomic
def unassign_claim(*, claim_id: int, user, unassigned_by) -> Assignment:
    """Take a user off the claim: their current assignment ends (the row stays, for the timeline)."""
    lock_unmerged_claim(claim_id)
    assignment = (
        Assignment.objects.select_for_update().filter(claim_id=claim_id, user=user, unassigned_at__isnull=True).first()
    )
    if assignment is None:
        raise ValidationError(
            _("%(name)s is not assigned to this claim.") % {"name": user.get_username()}, code="not_assigned"
        )
    assignment.unassigned_at = timezone.now()
    assignment.unassigned_by = unassigned_by
    _attribute(assignment, unassigned_by)
    assignment.save(update_fields=["unassigned_at", "unassigned_by"])
    _touch(claim_id, assignment.unassigned_at)
    return assignment


# Merging duplicate claims ---------------------------------------------------------------------

MERGE_REASON_MAX_LENGTH = ClaimMerge._meta.get_field("reason").max_length
KEEP_VERDICT_CHOICES = ("into", "absorbed")


def _claim_id(claim: Claim | int) -> int:
    return claim.pk if isinstance(claim, Claim) else int(claim)


def _merge_reason(reason: str) -> str:
    reason = storable_text(reason).strip()
    if not reason:
        raise ValidationError({"reason": _("Say why these claims are duplicates.")}, code="required")
    if len(reason) > MERGE_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason under %(limit)d characters.") % {"limit": MERGE_REASON_MAX_LENGTH}},
            code="max_length",
        )
    return reason


def _check_merge_pair(absorbed: Claim, into: Claim) -> None:
    """Refuse a merge that must not happen, whatever the order the rows were read in."""
    if absorbed.pk == into.pk:
        raise MergeRefused(_("A claim cannot be merged into itself."), code="merge_into_itself")
    if absorbed.merged_into_id is not None:
        raise MergeRefused(
            _("Claim %(claim)s was already merged into claim %(survivor)s.")
            % {"claim": absorbed.pk, "survivor": absorbed.merged_into_id},
            code="already_merged",
        )
    if into.merged_into_id is not None:
        if into.merged_into_id == absorbed.pk:
            raise MergeRefused(
                _("That would make a loop: claim %(into)s was merged into claim %(claim)s.")
                % {"into": into.pk, "claim": absorbed.pk},
                code="merge_loop",
            )
        raise MergeRefused(
            _("Claim %(into)s was itself merged into claim %(survivor)s: merge into claim %(survivor)s instead.")
            % {"into": into.pk, "survivor": into.merged_into_id},
            code="into_merged_claim",
        )


def _lock_pair(absorbed_id: int, into_id: int) -> tuple[Claim, Claim]:
    """Lock both claim rows, the lower id first whichever is absorbed, so two merges of the same
    claims at once (either way round) wait for each other instead of deadlocking."""
    locked = {}
    for claim_id in sorted({absorbed_id, into_id}):
        try:
            locked[claim_id] = Claim.objects.select_for_update().get(pk=claim_id)
        except Claim.DoesNotExist:
            raise MergeRefused(_("There is no claim %(id)s.") % {"id": claim_id}, code="no_such_claim") from None
    return locked[absorbed_id], locked[into_id]


def _verdict_to_keep(absorbed: Claim, into: Claim, keep_verdict_of: str | None) -> str:
    """Which claim's verdict stands on the survivor: "" when only the survivor has one or neither
    has, "absorbed" when only the absorbed claim has one (its fact-check page redirects to the
    survivor's, which must then show it), else the editor's choice, which is required."""
    if keep_verdict_of not in (None, "", *KEEP_VERDICT_CHOICES):
        raise ValidationError({"keep_verdict_of": _("Say “into” or “absorbed”.")}, code="invalid")
    absorbed_has = Verdict.objects.filter(claim_id=absorbed.pk).exists()
    into_has = Verdict.objects.filter(claim_id=into.pk).exists()
    if absorbed_has and into_has:
        if not keep_verdict_of:
            raise MergeRefused(
                _(
                    "Both claims have a published verdict: say which one stands on claim %(into)s, "
                    "its own or the one of claim %(absorbed)s."
                )
                % {"into": into.pk, "absorbed": absorbed.pk},
                code="both_have_verdicts",
            )
        return keep_verdict_of
    return "absorbed" if absorbed_has else ""


def _move(rows, into_id: int, merged_by) -> list[int]:
    """Point each row at the survivor, one save per row so that the audit trail records the move
    (and who made it) for the models that keep history."""
    moved = []
    for row in rows:
        row.claim_id = into_id
        _attribute(row, merged_by)
        row.save(update_fields=["claim"])
        moved.append(row.pk)
    return moved


def _move_appearances(absorbed_id: int, into_id: int, merged_by) -> tuple[list[int], dict[str, int]]:
    """Move the absorbed claim's appearances to the survivor, except where both claims have an
    appearance of the same document: the survivor keeps one (claim, document) pair, so a document
    counts once and no second suggestion of the pair is made (the unique
    appearance_one_suggestion_per_claim_document holds). Such a duplicate is neither deleted nor
    retracted (nobody retracted it): it stays on the absorbed claim, whose record is kept intact and
    whose pages redirect, and the merge record maps it to the survivor's appearance it duplicates
    (`appearances_left_behind`: {duplicate id: kept id}). The exceptions: when the survivor has no
    counted appearance of that document and the absorbed claim has, that one moves (if no suggestion
    of the pair is on the survivor already), so what was counted stays counted; and a story change
    moves with the appearance it supersedes."""
    survivor_by_document: dict[int, list[Appearance]] = {}
    for appearance in Appearance.objects.filter(claim_id=into_id, document__isnull=False):
        survivor_by_document.setdefault(appearance.document_id, []).append(appearance)

    def counts(appearance):
        return (
            appearance.review_state == Appearance.ReviewState.ACCEPTED
            and appearance.retracted_at is None
            and appearance.superseded_at is None
        )

    to_move, left_behind = [], {}
    moved_ids = set()
    for appearance in Appearance.objects.select_for_update().filter(claim_id=absorbed_id).order_by("pk"):
        kept = survivor_by_document.get(appearance.document_id) if appearance.document_id else None
        if appearance.supersedes_id in moved_ids:
            # A story change goes where the appearance it replaces went, pending or accepted: its
            # review, and what is counted, stay with that appearance.
            to_move.append(appearance)
            moved_ids.add(appearance.pk)
            survivor_by_document.setdefault(appearance.document_id, []).append(appearance)
            continue
        if not kept:
            moved_ids.add(appearance.pk)
            to_move.append(appearance)
            if appearance.document_id:
                survivor_by_document[appearance.document_id] = [appearance]
            continue
        suggestion_clash = appearance.origin == Appearance.Origin.SUGGESTED and any(
            a.origin == Appearance.Origin.SUGGESTED for a in kept
        )
        if counts(appearance) and not any(counts(a) for a in kept) and not suggestion_clash:
            to_move.append(appearance)
            moved_ids.add(appearance.pk)
            kept.append(appearance)
            continue
        best = next((a for a in kept if counts(a)), kept[0])
        left_behind[str(appearance.pk)] = best.pk
    return _move(to_move, into_id, merged_by), left_behind


def _move_follows(absorbed_id: int, into_id: int) -> tuple[list[int], list[int]]:
    """One follow per (claim, user): a user following both keeps the survivor's row, made active if
    either was (the absorbed claim's row stays behind); the others move."""
    survivor_follows = {f.user_id: f for f in Follow.objects.select_for_update().filter(claim_id=into_id)}
    moved, activated = [], []
    now = timezone.now()
    for follow in Follow.objects.select_for_update().filter(claim_id=absorbed_id).order_by("pk"):
        kept = survivor_follows.get(follow.user_id)
        if kept is None:
            follow.claim_id = into_id
            follow.save(update_fields=["claim"])
            moved.append(follow.pk)
        elif follow.active and not kept.active:
            kept.active, kept.updated_at = True, now
            kept.save(update_fields=["active", "updated_at"])
            activated.append(kept.pk)
    return moved, activated


def _move_assignments(absorbed_id: int, into_id: int, merged_by, at) -> tuple[list[int], list[int]]:
    """One current assignment per (claim, user): a user currently on both claims keeps the
    survivor's; the absorbed claim's current one is ended at the merge (by who merged) and stays
    behind. Every other assignment, current or past, moves with its history."""
    on_survivor = set(
        Assignment.objects.filter(claim_id=into_id, unassigned_at__isnull=True).values_list("user_id", flat=True)
    )
    to_move, ended = [], []
    for assignment in Assignment.objects.select_for_update().filter(claim_id=absorbed_id).order_by("pk"):
        if assignment.unassigned_at is None and assignment.user_id in on_survivor:
            assignment.unassigned_at, assignment.unassigned_by = at, merged_by
            _attribute(assignment, merged_by)
            assignment.save(update_fields=["unassigned_at", "unassigned_by"])
            ended.append(assignment.pk)
        else:
            to_move.append(assignment)
    return _move(to_move, into_id, merged_by), ended


def _retarget_merge_proposals(absorbed_id: int, into_id: int, merged_by, at, decided: int | None) -> list[int]:
    """Pending merge proposals naming the absorbed claim now name the survivor; those that then
    name the survivor twice (the same pair proposed again, or the other way round) are settled by
    this merge."""
    changed = []
    pending = MergeProposal.objects.select_for_update().filter(
        Q(absorbed_id=absorbed_id) | Q(into_id=absorbed_id), state=MergeProposal.State.PENDING
    )
    for proposal in pending.exclude(pk=decided or 0).order_by("pk"):
        if proposal.absorbed_id == absorbed_id:
            proposal.absorbed_id = into_id
        if proposal.into_id == absorbed_id:
            proposal.into_id = into_id
        fields = ["absorbed", "into"]
        if proposal.absorbed_id == proposal.into_id:
            proposal.state, proposal.decided_by, proposal.decided_at = MergeProposal.State.MERGED, merged_by, at
            proposal.decision_note = _("Settled by the merge of claim %(absorbed)s into claim %(into)s.") % {
                "absorbed": absorbed_id,
                "into": into_id,
            }
            fields += ["state", "decided_by", "decided_at", "decision_note"]
        proposal.save(update_fields=fields)
        changed.append(proposal.pk)
    return changed


def _republish_verdict(absorbed_id: int, into_id: int, at) -> Verdict:
    """The absorbed claim's current verdict, published again on the survivor as its current one
    (newest): same rating, summary and author, at the time of the merge. ClaimReview and the public
    page of the survivor show it; the absorbed claim keeps its own rows."""
    current = Verdict.objects.filter(claim_id=absorbed_id).order_by("-published_at", "-id").first()
    newest_on_survivor = Verdict.objects.filter(claim_id=into_id).order_by("-published_at").first()
    if newest_on_survivor is not None and newest_on_survivor.published_at >= at:
        at = newest_on_survivor.published_at + timedelta(microseconds=1)
    copy = Verdict(
        claim_id=into_id,
        rating_value=current.rating_value,
        rating_name=current.rating_name,
        best_rating=current.best_rating,
        worst_rating=current.worst_rating,
        summary=current.summary,
        author_id=current.author_id,
        published_at=at,
    )
    return _save_verdict(copy, current.author)


@once_per_submission_key(ClaimMerge)
@transaction.atomic
def merge_claims(
    *,
    absorbed: Claim | int,
    into: Claim | int,
    merged_by,
    reason: str,
    keep_verdict_of: str | None = None,
    proposal: MergeProposal | int | None = None,
    decision_note: str = "",
    submission_key: str | None = None,
) -> ClaimMerge:
    """Merge the duplicate claim `absorbed` into `into` (the survivor), all or nothing, with both
    claim rows locked.

    To the survivor move: appearances (one per (claim, document): see _move_appearances), the
    evidence attached to the claim or to a moved appearance, tags (the union), notes, follows and
    assignments (one per user: see _move_follows, _move_assignments), pending status proposals and
    pending merge proposals; claims merged earlier into the absorbed one now point at the survivor.
    Nothing is deleted: the absorbed claim keeps its status changes, verdicts, edits and
    notifications, gets `merged_into`, and its pages redirect to the survivor's, whose timeline shows
    it. The survivor's stance counts are recomputed here, in the transaction. If both have a
    verdict, keep_verdict_of ("into" or "absorbed") says which stands: "absorbed" publishes the
    absorbed claim's current verdict again on the survivor. `proposal` is the journalist's
    MergeProposal this decides (with the editor's decision_note). Sends claims.signals.claim_merged.
    A `submission_key` used before raises AlreadySubmitted with the first merge."""
    absorbed_id, into_id = _claim_id(absorbed), _claim_id(into)
    reason = _merge_reason(reason)
    if absorbed_id == into_id:
        raise MergeRefused(_("A claim cannot be merged into itself."), code="merge_into_itself")
    absorbed_claim, survivor = _lock_pair(absorbed_id, into_id)
    if submission_key is not None:  # the same form twice at once: this one waited for the locks
        repeat = ClaimMerge.objects.filter(submission_key=submission_key).first()
        if repeat is not None:
            raise AlreadySubmitted(repeat)
    _check_merge_pair(absorbed_claim, survivor)
    kept_verdict_of = _verdict_to_keep(absorbed_claim, survivor, keep_verdict_of)
    at = timezone.now()

    moved: dict = {}
    moved["appearances"], moved["appearances_left_behind"] = _move_appearances(absorbed_id, into_id, merged_by)
    evidence = Evidence.objects.select_for_update().filter(claim_id=absorbed_id)
    evidence = evidence.filter(Q(appearance__isnull=True) | Q(appearance_id__in=moved["appearances"]))
    moved["evidence"] = _move(evidence.order_by("pk"), into_id, merged_by)
    survivor_tags = set(survivor.tags.values_list("pk", flat=True))
    new_tags = [tag for tag in absorbed_claim.tags.all() if tag.pk not in survivor_tags]
    survivor.tags.add(*new_tags)
    moved["tags"] = sorted(tag.name for tag in new_tags)
    moved["notes"] = _move(
        Note.objects.select_for_update().filter(claim_id=absorbed_id).order_by("pk"), into_id, merged_by
    )
    # Standing wordings move, but for those the survivor already has (the same words, language).
    survivor_wordings = set(
        ClaimWording.objects.filter(claim_id=into_id, retracted_at__isnull=True).values_list("language", "text")
    )
    absorbed_wordings = ClaimWording.objects.select_for_update().filter(claim_id=absorbed_id, retracted_at__isnull=True)
    moved["wordings"] = _move(
        [w for w in absorbed_wordings.order_by("pk") if (w.language, w.text) not in survivor_wordings],
        into_id,
        merged_by,
    )
    if moved["wordings"]:
        _refresh_search_text(survivor)
    moved["follows"], moved["follows_activated"] = _move_follows(absorbed_id, into_id)
    moved["assignments"], moved["assignments_ended"] = _move_assignments(absorbed_id, into_id, merged_by, at)
    pending_status = StatusProposal.objects.filter(claim_id=absorbed_id, state=StatusProposal.State.PENDING)
    moved["status_proposals"] = sorted(pending_status.values_list("pk", flat=True))
    StatusProposal.objects.filter(pk__in=moved["status_proposals"]).update(claim_id=into_id)
    proposal_id = proposal.pk if isinstance(proposal, MergeProposal) else proposal
    moved["merge_proposals"] = _retarget_merge_proposals(absorbed_id, into_id, merged_by, at, proposal_id)
    earlier = list(Claim.objects.select_for_update().filter(merged_into_id=absorbed_id).order_by("pk"))
    for claim in earlier:  # merged into the absorbed claim before: they now redirect to the survivor
        claim.merged_into_id = into_id
        _attribute(claim, merged_by)
        claim.save(update_fields=["merged_into"])
    moved["claims_redirected"] = [claim.pk for claim in earlier]
    if kept_verdict_of == "absorbed":
        moved["verdict_republished"] = _republish_verdict(absorbed_id, into_id, at).pk

    absorbed_claim.merged_into_id = into_id
    _attribute(absorbed_claim, merged_by)
    absorbed_claim.save(update_fields=["merged_into"])
    try:
        with transaction.atomic():
            merge = ClaimMerge.objects.create(
                absorbed_id=absorbed_id,
                into_id=into_id,
                merged_by=merged_by,
                merged_at=at,
                reason=reason,
                kept_verdict_of=kept_verdict_of,
                moved=moved,
                submission_key=submission_key,
            )
    except IntegrityError:  # the one-to-one on absorbed: only reachable without row locks
        raise MergeRefused(_("Claim %(claim)s was already merged.") % {"claim": absorbed_id}) from None
    if proposal_id is not None:
        _settle_merge_proposal(proposal_id, merge=merge, decided_by=merged_by, at=at, decision_note=decision_note)
    recompute_stance_counts(claim_id=into_id)
    recompute_stance_counts(claim_id=absorbed_id)
    _touch(into_id, at)
    signals.claim_merged.send(sender=ClaimMerge, claim_merge_id=merge.pk)
    return merge


def _refuse_decided(proposal: MergeProposal) -> None:
    if proposal.state != MergeProposal.State.PENDING:
        raise ValidationError(
            _("This proposal was already decided (%(state)s).") % {"state": proposal.get_state_display()},
            code="already_decided",
        )


def _settle_merge_proposal(proposal_id: int, *, merge: ClaimMerge, decided_by, at, decision_note: str) -> None:
    proposal = MergeProposal.objects.select_for_update().get(pk=proposal_id)
    _refuse_decided(proposal)
    if (proposal.absorbed_id, proposal.into_id) != (merge.absorbed_id, merge.into_id):
        raise ValidationError(_("This proposal is about other claims."), code="other_claims")
    proposal.state, proposal.decided_by, proposal.decided_at = MergeProposal.State.MERGED, decided_by, at
    proposal.merge, proposal.decision_note = merge, decision_note
    proposal.save(update_fields=["state", "decided_by", "decided_at", "merge", "decision_note"])


@once_per_submission_key(MergeProposal)
@transaction.atomic
def propose_merge(
    *, absorbed: Claim | int, into: Claim | int, proposed_by, reason: str, submission_key: str | None = None
) -> MergeProposal:
    """A journalist proposes that `absorbed` duplicates `into`; an editor merges or rejects it
    (decide_merge_proposal). Refused as a merge would be (itself, merged claims, a loop), and while
    the same proposal is pending."""
    absorbed_id, into_id = _claim_id(absorbed), _claim_id(into)
    reason = _merge_reason(reason)
    if absorbed_id == into_id:
        raise MergeRefused(_("A claim cannot be merged into itself."), code="merge_into_itself")
    absorbed_claim, survivor = _lock_pair(absorbed_id, into_id)
    _check_merge_pair(absorbed_claim, survivor)
    pending = MergeProposal.objects.filter(
        absorbed_id=absorbed_id, into_id=into_id, state=MergeProposal.State.PENDING
    ).first()
    if pending is not None:
        raise ValidationError(
            _("Merging claim %(absorbed)s into claim %(into)s was already proposed; an editor will decide.")
            % {"absorbed": absorbed_id, "into": into_id},
            code="already_proposed",
        )
    proposal = MergeProposal.objects.create(
        absorbed_id=absorbed_id, into_id=into_id, reason=reason, proposed_by=proposed_by, submission_key=submission_key
    )
    return proposal


@transaction.atomic
def decide_merge_proposal(
    *,
    proposal: MergeProposal | int,
    decided_by,
    merge: bool,
    decision_note: str = "",
    keep_verdict_of: str | None = None,
) -> MergeProposal:
    """An editor merges the proposed claims (merge_claims, with the proposal's reason) or rejects
    the proposal. A proposal already decided is refused."""
    proposal_id = proposal.pk if isinstance(proposal, MergeProposal) else proposal
    note = storable_text(decision_note).strip()
    if len(note) > MergeProposal._meta.get_field("decision_note").max_length:
        raise ValidationError({"decision_note": _("The decision note is too long.")}, code="max_length")
    if merge:
        # Not locked here: merge_claims locks the claims first and the proposal after, the order
        # every merge takes, and refuses a proposal decided meanwhile (all rolled back).
        current = MergeProposal.objects.get(pk=proposal_id)
        _refuse_decided(current)
        merge_claims(
            absorbed=current.absorbed_id,
            into=current.into_id,
            merged_by=decided_by,
            reason=current.reason,
            keep_verdict_of=keep_verdict_of,
            proposal=proposal_id,
            decision_note=note,
        )
        return MergeProposal.objects.get(pk=proposal_id)
    locked = MergeProposal.objects.select_for_update().get(pk=proposal_id)
    _refuse_decided(locked)
    locked.state, locked.decided_by, locked.decided_at, locked.decision_note = (
        MergeProposal.State.REJECTED,
        decided_by,
        timezone.now(),
        note,
    )
    locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    return locked


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
    # Locked as recompute_stance_counts locks one claim (no key share, in id order): an appearance
    # recorded at the same moment is counted here or by its own recount, never lost.
    list(Claim.objects.select_for_update(no_key=True).filter(pk__in=claim_ids).order_by("pk").values_list("pk"))
    counts = dict.fromkeys(claim_ids, (0, 0, 0))
    grouped = (
        Appearance.objects.filter(COUNTED_APPEARANCES, claim_id__in=claim_ids)
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
    _recompute_clocks(claim_ids)
