"""Follow and notify: who follows a claim, what they are told, and how it is emailed. The services
of this part of the claims domain (the pages and tasks call these; reads are in claims.selectors).

A follow is written in the transaction of the action that causes it (logging a claim, recording on
it, being assigned to it or mentioned on it). Notifications are not: the service that records an
event queues ONE task (claims.tasks.create_notifications) with the event's kind and ids through
the outbox; the task writes the rows of every recipient in a bounded number of queries, whatever
their number, and queues one email task for those to be emailed now. Emails are sent by the
worker, never in a request: immediately, in a daily digest (beat), or never, as each user chose.

Notifications and emails are newsroom-internal: they go only to active newsroom users (who may
view claims), never to partners, and never to the person whose action it was.
"""

import logging
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from outbox.services import enqueue_on_commit

from .models import (
    Appearance,
    Assignment,
    Follow,
    Note,
    Notification,
    NotificationSettings,
    Stance,
    StatusChange,
    Verdict,
)
from .permalinks import permalink_suffix

logger = logging.getLogger(__name__)

Kind = Notification.Kind
EmailState = Notification.EmailState

# The row each kind of notification is about (a Notification foreign key of that name).
TARGET_OF_KIND = {
    Kind.ASSIGNED: "assignment",
    Kind.MENTIONED: "note",
    Kind.DENIAL: "appearance",
    Kind.OFFICIAL_STATEMENT: "appearance",
    Kind.STATUS_CHANGED: "status_change",
    Kind.VERDICT_PUBLISHED: "verdict",
    Kind.SUGGESTION: "appearance",
}
# Kinds told to a claim's followers; the others go to the one assigned or the ones mentioned.
FOLLOWER_KINDS = {Kind.DENIAL, Kind.OFFICIAL_STATEMENT, Kind.STATUS_CHANGED, Kind.VERDICT_PUBLISHED, Kind.SUGGESTION}
# An automatic follow does not undo an explicit unfollow, except being assigned or mentioned.
REACTIVATING_REASONS = {Follow.Reason.CHOSE, Follow.Reason.ASSIGNED, Follow.Reason.MENTIONED}
# A digest lists this many notifications (newest first) and counts the rest.
DIGEST_MAX_LISTED = 100
# Beat picks up at most this many unsent immediate emails, and digests, per run.
EMAIL_SWEEP_BATCH = 500
# An immediate email still unsent this long after its notification is tried again by beat.
RETRY_AFTER = timedelta(minutes=10)


# Follows --------------------------------------------------------------------------------------


def follow_claim(*, claim_id: int, user, reason: str) -> Follow | None:
    """`user` follows the claim, for `reason`. Safe to call again: one row per (claim, user). An
    automatic follow (logged, recorded) leaves a follow the user ended as it is; choosing to follow,
    being assigned or being mentioned starts it again. No user (a partner's write, ingestion): no
    follow."""
    if user is None or not getattr(user, "pk", None):
        return None
    if reason not in Follow.Reason.values:
        raise ValidationError({"reason": _("Unknown reason to follow “%(reason)s”.") % {"reason": reason}})
    with transaction.atomic():
        follow, created = Follow.objects.select_for_update().get_or_create(
            claim_id=claim_id, user=user, defaults={"reason": reason}
        )
        if not created and not follow.active and reason in REACTIVATING_REASONS:
            follow.active, follow.reason, follow.updated_at = True, reason, timezone.now()
            follow.save(update_fields=["active", "reason", "updated_at"])
    return follow


def unfollow_claim(*, claim_id: int, user) -> Follow:
    """`user` stops following the claim. The row stays, inactive, so that logging or recording on
    the claim later does not make them follow it again (being assigned or mentioned does)."""
    with transaction.atomic():
        follow, created = Follow.objects.select_for_update().get_or_create(
            claim_id=claim_id, user=user, defaults={"reason": Follow.Reason.CHOSE, "active": False}
        )
        if not created and follow.active:
            follow.active, follow.updated_at = False, timezone.now()
            follow.save(update_fields=["active", "updated_at"])
    return follow


# Events: what the claims services call, inside their transaction ---------------------------------


def queue_notifications(kind: str, target_ids) -> None:
    """Queue the one task that notifies everyone concerned by these events of `kind` (rows of
    TARGET_OF_KIND[kind]), once the caller's transaction commits."""
    from .tasks import create_notifications

    target_ids = sorted({int(pk) for pk in target_ids})
    if target_ids:
        enqueue_on_commit(create_notifications, str(kind), target_ids)


def appearance_recorded(appearance: Appearance, *, by) -> None:
    """An appearance was recorded or accepted: whoever recorded or accepted it follows the claim,
    and the followers are told of a denial or an official statement; a partner's submission waiting
    for review is a suggestion waiting (ingestion's are queued per revision, see
    suggestions_recorded)."""
    if appearance.review_state == Appearance.ReviewState.ACCEPTED:
        follow_claim(claim_id=appearance.claim_id, user=by, reason=Follow.Reason.RECORDED)
        kind = appearance_kind(appearance)
        if kind:
            queue_notifications(kind, [appearance.pk])
    elif appearance.review_state == Appearance.ReviewState.PENDING and appearance.origin == Appearance.Origin.PARTNER:
        queue_notifications(Kind.SUGGESTION, [appearance.pk])


def appearance_kind(appearance: Appearance) -> str | None:
    """What the followers are told of an accepted appearance: an official statement (a denial among
    them) or a denial; nothing for the rest."""
    if appearance.is_official:
        return Kind.OFFICIAL_STATEMENT
    if appearance.stance == Stance.DENIES:
        return Kind.DENIAL
    return None


def suggestions_recorded(appearances) -> None:
    """Ingestion suggested these pending appearances for one revision: one task tells each
    follower once per claim, not once per suggestion."""
    queue_notifications(Kind.SUGGESTION, [appearance.pk for appearance in appearances])


def status_changed(status_change: StatusChange) -> None:
    queue_notifications(Kind.STATUS_CHANGED, [status_change.pk])


def verdict_published(verdict: Verdict) -> None:
    queue_notifications(Kind.VERDICT_PUBLISHED, [verdict.pk])


def notify_assigned(assignment_id: int) -> None:
    """A user was assigned to a claim (claims.services.assign_claim calls this in its transaction):
    they follow it, even if they had unfollowed it, and are told, unless they assigned themselves."""
    assignment = Assignment.objects.select_related("user").get(pk=assignment_id)
    follow_claim(claim_id=assignment.claim_id, user=assignment.user, reason=Follow.Reason.ASSIGNED)
    if assignment.user_id != assignment.assigned_by_id:
        queue_notifications(Kind.ASSIGNED, [assignment.pk])


def notify_mentioned(note_id: int) -> None:
    """A note mentions users (claims.services.add_note calls this once its mentions are saved):
    each follows the claim and is told, except its author."""
    note = Note.objects.get(pk=note_id)
    mentioned = [user for user in note.mentions.all() if user.pk != note.author_id]
    for user in mentioned:
        follow_claim(claim_id=note.claim_id, user=user, reason=Follow.Reason.MENTIONED)
    if mentioned:
        queue_notifications(Kind.MENTIONED, [note.pk])


# The task's work: notification rows for every recipient ------------------------------------------


def newsroom_users() -> QuerySet:
    """Active users who may view claims (a newsroom role, that permission given directly, or a
    superuser): the only people notified. One subquery, joined into the caller's query."""
    view_claim = Permission.objects.filter(codename="view_claim", content_type__app_label="claims")
    user_model = get_user_model()
    return user_model.objects.filter(is_active=True).filter(
        Q(is_superuser=True)
        | Q(pk__in=user_model.groups.through.objects.filter(group__permissions__in=view_claim).values("user_id"))
        | Q(pk__in=user_model.user_permissions.through.objects.filter(permission__in=view_claim).values("user_id"))
    )


def _email_state(address: str, choice: str | None) -> str:
    if not address:
        return EmailState.NOT_SENT
    return {
        NotificationSettings.Email.DAILY: EmailState.DIGEST,
        NotificationSettings.Email.NEVER: EmailState.NOT_SENT,
    }.get(choice, EmailState.PENDING)  # no settings row: immediately


def _events(kind: str, target_ids: list[int]) -> list[tuple[int, int, int | None]]:
    """(target id, claim id, actor id) of each event still worth telling: a retracted appearance
    or note, an ended assignment, a suggestion already reviewed are not."""
    if TARGET_OF_KIND[kind] == "appearance":
        rows = Appearance.objects.filter(pk__in=target_ids, retracted_at__isnull=True)
        if kind == Kind.SUGGESTION:
            rows = rows.filter(review_state=Appearance.ReviewState.PENDING)
        else:
            rows = rows.filter(review_state=Appearance.ReviewState.ACCEPTED)
        return [
            (pk, claim_id, reviewed_by or recorded_by)
            for pk, claim_id, reviewed_by, recorded_by in rows.values_list(
                "pk", "claim_id", "reviewed_by", "recorded_by"
            )
        ]
    if kind == Kind.STATUS_CHANGED:
        return list(StatusChange.objects.filter(pk__in=target_ids).values_list("pk", "claim_id", "changed_by"))
    if kind == Kind.VERDICT_PUBLISHED:
        return list(Verdict.objects.filter(pk__in=target_ids).values_list("pk", "claim_id", "author"))
    if kind == Kind.ASSIGNED:
        return list(
            Assignment.objects.filter(pk__in=target_ids, unassigned_at__isnull=True).values_list(
                "pk", "claim_id", "assigned_by"
            )
        )
    return list(
        Note.objects.filter(pk__in=target_ids, retracted_at__isnull=True).values_list("pk", "claim_id", "author")
    )


def _recipients(kind: str, events) -> list[tuple[int, int, str, str | None]]:
    """(target id, user id, email address, email choice) of everyone to tell. One query."""
    people = newsroom_users()
    fields = ("user_id", "user__email", "user__notification_settings__email")
    if kind in FOLLOWER_KINDS:
        targets_of_claim = {}
        for target_id, claim_id, _actor in events:
            targets_of_claim.setdefault(claim_id, []).append(target_id)
        follows = Follow.objects.filter(claim_id__in=targets_of_claim, active=True, user__in=people)
        return [
            (target_id, *rest)
            for claim_id, *rest in follows.values_list("claim_id", *fields)
            for target_id in targets_of_claim[claim_id]
        ]
    if kind == Kind.ASSIGNED:
        rows = Assignment.objects.filter(pk__in=[event[0] for event in events], user__in=people)
        return list(rows.values_list("pk", *fields))
    rows = Note.mentions.through.objects.filter(note_id__in=[event[0] for event in events], user__in=people)
    return list(rows.values_list("note_id", *fields))


def create_notifications(*, kind: str, target_ids: list[int]) -> list[int]:
    """Write the notifications of these events for everyone concerned, but the actor. Safe to run
    twice: a (recipient, kind, target) is notified once (unique constraints; a repeat inserts
    nothing). A fixed number of queries however many recipients, apart from the inserts' batches.
    Returns the ids of the notifications to email now."""
    if kind not in TARGET_OF_KIND:
        raise ValidationError(_("Unknown kind of notification “%(kind)s”.") % {"kind": kind})
    target = TARGET_OF_KIND[kind]
    events = _events(kind, target_ids)
    if not events:
        return []
    about = {target_id: (claim_id, actor_id) for target_id, claim_id, actor_id in events}
    now = timezone.now()
    rows = []
    for target_id, user_id, address, choice in _recipients(kind, events):
        claim_id, actor_id = about[target_id]
        if user_id == actor_id:
            continue  # never told of your own action
        rows.append(
            Notification(
                recipient_id=user_id,
                claim_id=claim_id,
                kind=kind,
                actor_id=actor_id,
                created_at=now,
                email_state=_email_state(address, choice),
                **{f"{target}_id": target_id},
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Notification.objects.filter(
            kind=kind, email_state=EmailState.PENDING, **{f"{target}_id__in": list(about)}
        ).values_list("pk", flat=True)
    )


# Reading: marking read ----------------------------------------------------------------------------


def mark_read(*, notification: Notification) -> Notification:
    """Mark one of the user's notifications read (the view finds it among the user's own)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# Settings ---------------------------------------------------------------------------------------


@transaction.atomic
def update_notification_settings(*, user, email: str) -> NotificationSettings:
    """How `user` wants to be emailed: immediately, in a daily digest, or never. What was waiting
    to be emailed follows the new choice: never drops it, the digest takes what was still to be
    sent now, and immediately sends now what was waiting for the digest."""
    if email not in NotificationSettings.Email.values:
        raise ValidationError({"email": _("Choose immediately, daily digest or never.")})
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    row.email = email
    if email == NotificationSettings.Email.DAILY and row.last_digest_at is None:
        row.last_digest_at = timezone.now()  # the first digest a day from now
    row.save()
    waiting = Notification.objects.filter(recipient=user)
    if email == NotificationSettings.Email.NEVER:
        waiting.filter(email_state__in=[EmailState.PENDING, EmailState.DIGEST]).update(email_state=EmailState.NOT_SENT)
    elif email == NotificationSettings.Email.DAILY:
        waiting.filter(email_state=EmailState.PENDING).update(email_state=EmailState.DIGEST)
    else:
        ids = list(waiting.filter(email_state=EmailState.DIGEST).values_list("pk", flat=True))
        if ids:
            Notification.objects.filter(pk__in=ids).update(email_state=EmailState.PENDING)
            from .tasks import send_notification_emails

            enqueue_on_commit(send_notification_emails, ids)
    return row


# Email ------------------------------------------------------------------------------------------


def claim_link(notification: Notification, *, absolute: bool = True) -> str:
    """The address of what the notification is about, on the claim's page: absolute for emails
    (settings.CLAIMTRACK_SITE_URL), a path for the pages."""
    url = (settings.CLAIMTRACK_SITE_URL if absolute else "") + reverse("claims:detail", args=[notification.claim_id])
    target = TARGET_OF_KIND.get(notification.kind)
    target_id = getattr(notification, f"{target}_id", None) if target else None
    if target_id and target != "assignment":
        url += permalink_suffix(target, target_id)
    return url


def _for_email() -> QuerySet:
    return Notification.objects.select_related(
        "claim",
        "actor",
        "recipient",
        "appearance__source",
        "appearance__document",
        "status_change",
        "verdict",
        "note",
    ).order_by("-created_at", "-id")


def _message(recipient, notifications: list[Notification], *, digest: bool, more: int = 0):
    context = {
        "recipient": recipient,
        "notifications": [(n, claim_link(n)) for n in notifications],
        "more": more,
        "digest": digest,
        "notifications_url": settings.CLAIMTRACK_SITE_URL + reverse("claims:notifications"),
        "settings_url": settings.CLAIMTRACK_SITE_URL + reverse("claims:notification-settings"),
    }
    if digest:
        subject = _("Your daily digest: %(count)d notifications") % {"count": len(notifications) + more}
    elif len(notifications) == 1:
        only = notifications[0]
        subject = f"{only.get_kind_display()}: {Truncator(only.claim.text).chars(80)}"
    else:
        subject = _("%(count)d notifications") % {"count": len(notifications)}
    with timezone.override(zoneinfo.ZoneInfo(settings.NEWSROOM_TIME_ZONE)):  # times as the pages show them
        body = render_to_string("claims/email/notifications.txt", context)
    return mail.EmailMessage(
        subject=settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), body=body, to=[recipient.email]
    )


def _claim(queryset, *, state: str) -> list[int]:
    """Take the rows still in `state` for this sender: locked, then marked sent, so a second task
    with the same ids (a redelivery, the beat sweep) finds them sent and sends nothing."""
    with transaction.atomic():
        ids = list(queryset.select_for_update().filter(email_state=state).values_list("pk", flat=True))
        Notification.objects.filter(pk__in=ids).update(email_state=EmailState.SENT, emailed_at=timezone.now())
    return ids


def send_notification_emails(*, notification_ids: list[int]) -> int:
    """Email these notifications now, one email per recipient over one connection. Those already
    sent (or no longer to be sent) are skipped; an email the mail server refused is left to be
    sent again by beat. Returns how many emails were sent."""
    ids = _claim(Notification.objects.filter(pk__in=notification_ids), state=EmailState.PENDING)
    by_recipient = {}
    for notification in _for_email().filter(pk__in=ids):
        by_recipient.setdefault(notification.recipient_id, []).append(notification)
    sent = 0
    with mail.get_connection() as connection:
        for notifications in by_recipient.values():
            message = _message(notifications[0].recipient, notifications, digest=False)
            try:
                connection.send_messages([message])
            except Exception as error:  # the mail server is down or refuses: beat tries again
                logger.warning("Notification email to user %s not sent: %s", notifications[0].recipient_id, error)
                Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
                    email_state=EmailState.PENDING, emailed_at=None
                )
                continue
            sent += 1
    return sent


def _digest_due_before(now: datetime) -> datetime:
    return now - settings.NOTIFICATION_DIGEST_INTERVAL


def due_digest_user_ids(*, now: datetime | None = None) -> list[int]:
    """Users on the daily digest whose last digest is a day old, with something waiting for it."""
    now = now or timezone.now()
    due = NotificationSettings.objects.filter(email=NotificationSettings.Email.DAILY).filter(
        Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=_digest_due_before(now))
    )
    waiting = Notification.objects.filter(email_state=EmailState.DIGEST).values("recipient_id")
    return list(due.filter(user_id__in=waiting).values_list("user_id", flat=True)[:EMAIL_SWEEP_BATCH])


def send_digest(*, user_id: int, now: datetime | None = None) -> bool:
    """Send the user's daily digest if it is due: one email with everything that waited for it
    since the last one. Safe to run twice (the second finds it not due). Returns whether it was sent."""
    now = now or timezone.now()
    with transaction.atomic():
        row = NotificationSettings.objects.select_for_update().filter(user_id=user_id).first()
        if row is None or row.email != NotificationSettings.Email.DAILY:
            return False
        if row.last_digest_at is not None and row.last_digest_at > _digest_due_before(now):
            return False
        ids = _claim(Notification.objects.filter(recipient_id=user_id), state=EmailState.DIGEST)
        if not ids:
            return False
        previous, row.last_digest_at = row.last_digest_at, now
        row.save(update_fields=["last_digest_at"])
    notifications = list(_for_email().filter(pk__in=ids)[:DIGEST_MAX_LISTED])
    message = _message(notifications[0].recipient, notifications, digest=True, more=len(ids) - len(notifications))
    try:
        message.send()
    except Exception as error:  # put it all back for the next beat run
        logger.warning("Notification digest to user %s not sent: %s", user_id, error)
        with transaction.atomic():
            Notification.objects.filter(pk__in=ids).update(email_state=EmailState.DIGEST, emailed_at=None)
            NotificationSettings.objects.filter(user_id=user_id).update(last_digest_at=previous)
        return False
    return True


def unsent_notification_ids(*, now: datetime | None = None) -> list[int]:
    """Immediate emails still unsent a while after their task should have sent them (the mail
    server was down): to be tried again. Those older than NOTIFICATION_EMAIL_RETRY_FOR are given up."""
    now = now or timezone.now()
    pending = Notification.objects.filter(email_state=EmailState.PENDING)
    pending.filter(created_at__lt=now - settings.NOTIFICATION_EMAIL_RETRY_FOR).update(email_state=EmailState.NOT_SENT)
    stale = pending.filter(created_at__lte=now - RETRY_AFTER).order_by("created_at", "id")
    return list(stale.values_list("pk", flat=True)[:EMAIL_SWEEP_BATCH])
