"""Follow and notify: who follows a claim, who is told what, in the page and by email."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from claims import notifications, services, tasks
from claims.models import Appearance, Assignment, ClaimStatus, Follow, Note, Notification, NotificationSettings, Stance
from claimtrack.tests.test_settings import run_django
from outbox.models import OutboxMessage
from sources.models import Document, Source
from tests import factories

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what a service queues on commit, as the worker would (tasks run eagerly in tests)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def follower(claim, username, **user):
    person = factories.JournalistFactory(username=username, **user)
    notifications.follow_claim(claim_id=claim.pk, user=person, reason=Follow.Reason.CHOSE)
    return person


def told(kind, claim=None):
    rows = Notification.objects.filter(kind=kind, **({"claim": claim} if claim else {}))
    return sorted(rows.values_list("recipient__username", flat=True))


def email_setting(user, choice, **fields):
    NotificationSettings.objects.update_or_create(user=user, defaults={"email": choice, **fields})


# Follows ------------------------------------------------------------------------------------------


def test_the_journalist_who_logs_a_claim_follows_it(journalist):
    claim = factories.make_claim(created_by=journalist)
    follow = Follow.objects.get(claim=claim, user=journalist)
    assert (follow.reason, follow.active) == (Follow.Reason.LOGGED, True)


def test_recording_an_appearance_or_accepting_a_pending_one_follows_the_claim(claim, editor):
    recorder = factories.JournalistFactory(username="rec")
    factories.make_appearance(claim=claim, recorded_by=recorder)
    suggestion = factories.make_suggestion(claim=claim)
    services.accept_pending_appearance(appearance=suggestion, reviewed_by=editor)
    assert set(Follow.objects.filter(claim=claim, active=True).values_list("user__username", "reason")) == {
        ("jo", Follow.Reason.LOGGED),
        ("rec", Follow.Reason.RECORDED),
        ("ed", Follow.Reason.RECORDED),
    }


def test_following_twice_keeps_one_row_and_its_first_reason(claim, journalist):
    notifications.follow_claim(claim_id=claim.pk, user=journalist, reason=Follow.Reason.RECORDED)
    assert list(Follow.objects.filter(claim=claim).values_list("reason", flat=True)) == [Follow.Reason.LOGGED]


def test_an_automatic_follow_does_not_undo_an_explicit_unfollow(claim, journalist):
    notifications.unfollow_claim(claim_id=claim.pk, user=journalist)
    factories.make_appearance(claim=claim, recorded_by=journalist)
    notifications.follow_claim(claim_id=claim.pk, user=journalist, reason=Follow.Reason.LOGGED)
    assert not Follow.objects.get(claim=claim, user=journalist).active


@pytest.mark.parametrize("reason", [Follow.Reason.ASSIGNED, Follow.Reason.MENTIONED, Follow.Reason.CHOSE])
def test_being_assigned_mentioned_or_choosing_follows_again_after_an_unfollow(claim, journalist, reason):
    notifications.unfollow_claim(claim_id=claim.pk, user=journalist)
    notifications.follow_claim(claim_id=claim.pk, user=journalist, reason=reason)
    follow = Follow.objects.get(claim=claim, user=journalist)
    assert (follow.active, follow.reason) == (True, reason)


def test_unfollowing_a_claim_never_followed_keeps_later_automatic_follows_away(editor):
    claim = factories.make_claim()
    notifications.unfollow_claim(claim_id=claim.pk, user=editor)
    factories.make_appearance(claim=claim, recorded_by=editor)
    assert not Follow.objects.get(claim=claim, user=editor).active


def test_an_unknown_reason_to_follow_is_refused(claim, editor):
    with pytest.raises(Exception, match="Unknown reason"):
        notifications.follow_claim(claim_id=claim.pk, user=editor, reason="curious")
    assert not Follow.objects.filter(user=editor).exists()


def test_the_claim_page_follow_and_unfollow_buttons(as_editor, editor, claim):
    page = as_editor.get(claim.get_absolute_url()).content.decode()
    assert reverse("claims:follow", args=[claim.pk]) in page

    response = as_editor.post(reverse("claims:follow", args=[claim.pk]))
    assert response["Location"] == claim.get_absolute_url()
    assert Follow.objects.get(claim=claim, user=editor).active
    page = as_editor.get(claim.get_absolute_url()).content.decode()
    assert reverse("claims:unfollow", args=[claim.pk]) in page

    as_editor.post(reverse("claims:unfollow", args=[claim.pk]))
    assert not Follow.objects.get(claim=claim, user=editor).active


def test_following_an_unknown_claim_is_404(as_editor, editor):
    assert as_editor.post(reverse("claims:follow", args=[999999])).status_code == 404
    assert not Follow.objects.filter(user=editor).exists()


# Who is told what ----------------------------------------------------------------------------------


def _denial(claim, actor):
    services.record_appearance(claim=claim, source=factories.SourceFactory(), stance=Stance.DENIES, recorded_by=actor)


def _official_statement(claim, actor):
    ministry = factories.SourceFactory(name="Ministry of Defence", kind=Source.Kind.OFFICIAL_BODY)
    services.record_appearance(claim=claim, source=ministry, stance=Stance.REPORTS, recorded_by=actor)


def _status_change(claim, actor):
    return services.change_status(claim=claim, to_status=ClaimStatus.FALSE, rationale="Site visit.", changed_by=actor)


def _verdict(claim, actor):
    services.publish_verdict(claim=claim, rating_name="False", author=actor)


def _accepted_denial(claim, actor):
    suggestion = factories.make_suggestion(claim=claim, stance=Stance.DENIES)
    services.accept_pending_appearance(appearance=suggestion, reviewed_by=actor)


EVENTS = {
    Kind.DENIAL: _denial,
    Kind.OFFICIAL_STATEMENT: _official_statement,
    Kind.STATUS_CHANGED: _status_change,
    Kind.VERDICT_PUBLISHED: _verdict,
}


@pytest.mark.parametrize("kind", list(EVENTS))
def test_followers_are_told_but_not_the_actor_nor_others(kind, claim, editor, run_on_commit):
    follower(claim, "amal")
    notifications.follow_claim(claim_id=claim.pk, user=editor, reason=Follow.Reason.CHOSE)  # the actor
    factories.JournalistFactory(username="bystander")
    gone = follower(claim, "gone")
    notifications.unfollow_claim(claim_id=claim.pk, user=gone)

    run_on_commit(EVENTS[kind], claim, editor)

    assert told(kind) == ["amal", "jo"]
    notification = Notification.objects.filter(kind=kind).first()
    assert (notification.claim, notification.actor) == (claim, editor)


def test_an_accepted_denial_tells_the_followers_and_not_the_reviewer(claim, editor, run_on_commit):
    run_on_commit(_accepted_denial, claim, editor)
    assert told(Kind.DENIAL) == ["jo"]


def test_an_official_denial_is_one_notification_an_official_statement(claim, editor, run_on_commit):
    statement = factories.DocumentFactory(kind=Document.Kind.OFFICIAL_STATEMENT)
    run_on_commit(
        services.record_appearance,
        claim=claim,
        source=statement.source,
        document=statement,
        stance=Stance.DENIES,
        recorded_by=editor,
    )
    assert list(Notification.objects.values_list("kind", flat=True)) == [Kind.OFFICIAL_STATEMENT]


def test_an_asserting_appearance_tells_nobody(claim, editor, run_on_commit):
    run_on_commit(factories.make_appearance, claim=claim, stance=Stance.ASSERTS, recorded_by=editor)
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.filter(task_name=tasks.create_notifications.name).exists()


def test_accounts_without_a_newsroom_role_are_never_told(claim, editor, outsider, run_on_commit):
    Follow.objects.create(claim=claim, user=outsider, reason=Follow.Reason.CHOSE)
    inactive = follower(claim, "left", is_active=False)
    run_on_commit(_status_change, claim, editor)
    assert told(Kind.STATUS_CHANGED) == ["jo"]
    assert not Notification.objects.filter(recipient__in=[outsider, inactive]).exists()


def test_the_assigned_user_is_told_and_follows_again(claim, editor, run_on_commit):
    assignee = factories.JournalistFactory(username="amal")
    notifications.unfollow_claim(claim_id=claim.pk, user=assignee)
    assignment = Assignment.objects.create(claim=claim, user=assignee, assigned_by=editor)

    run_on_commit(notifications.notify_assigned, assignment.pk)

    assert told(Kind.ASSIGNED) == ["amal"]  # not the other followers
    assert Notification.objects.get(kind=Kind.ASSIGNED).assignment == assignment
    assert Follow.objects.get(claim=claim, user=assignee).reason == Follow.Reason.ASSIGNED


def test_assigning_yourself_tells_nobody(claim, editor, run_on_commit):
    assignment = Assignment.objects.create(claim=claim, user=editor, assigned_by=editor)
    run_on_commit(notifications.notify_assigned, assignment.pk)
    assert not Notification.objects.exists()
    assert Follow.objects.get(claim=claim, user=editor).active


def test_the_mentioned_users_are_told_and_follow_but_not_the_author(claim, journalist, editor, run_on_commit):
    amal = factories.JournalistFactory(username="amal")
    note = Note.objects.create(claim=claim, author=journalist, text="@amal @ed @jo called the ministry, no answer")
    note.mentions.add(amal, editor, journalist)

    run_on_commit(notifications.notify_mentioned, note.pk)

    assert told(Kind.MENTIONED) == ["amal", "ed"]
    assert set(
        Follow.objects.filter(claim=claim, reason=Follow.Reason.MENTIONED).values_list("user__username", flat=True)
    ) == {
        "amal",
        "ed",
    }


def test_followers_are_told_once_per_revision_of_the_suggestions_waiting(journalist, run_on_commit):
    claims = [factories.make_claim(text=f"Claim {n}", created_by=journalist) for n in range(3)]
    document = factories.DocumentFactory()
    suggestions = [factories.make_suggestion(claim=claim, document=document) for claim in claims]
    assert not Notification.objects.exists()  # ingestion's suggestions are told per revision

    run_on_commit(notifications.suggestions_recorded, suggestions)

    assert OutboxMessage.objects.filter(task_name=tasks.create_notifications.name).count() == 1
    assert told(Kind.SUGGESTION) == ["jo", "jo", "jo"]  # one per claim
    assert len(mail.outbox) == 1  # in one email


def test_ingestion_suggestions_tell_the_claims_followers(journalist, run_on_commit, monkeypatch):
    from claims import matching

    claim = factories.make_claim(text="Federal police withdrew from Kirkuk", created_by=journalist)
    monkeypatch.setattr(matching, "match_document", lambda **kwargs: [matching.Match(claim_id=claim.pk, stance=None)])
    run_on_commit(factories.ingest_article, title="Kirkuk", text="Federal police withdrew from Kirkuk.")
    suggestion = Appearance.objects.get(claim=claim, origin=Appearance.Origin.SUGGESTED)
    assert Notification.objects.get(kind=Kind.SUGGESTION).appearance == suggestion


def test_a_partners_submission_waiting_for_review_tells_the_followers(claim, run_on_commit):
    run_on_commit(
        services.record_appearance,
        claim=claim,
        source=factories.SourceFactory(),
        stance=Stance.DENIES,
        recorded_by=None,
        origin=Appearance.Origin.PARTNER,
        review_state=Appearance.ReviewState.PENDING,
        submitted_by_partner=factories.make_partner(),
    )
    assert told(Kind.SUGGESTION) == ["jo"]
    assert not Notification.objects.filter(kind=Kind.DENIAL).exists()  # not before it is accepted


def test_a_retracted_appearance_is_not_told_when_its_task_runs_late(claim, editor):
    appearance = factories.make_appearance(claim=claim, stance=Stance.DENIES, recorded_by=editor)
    services.retract_appearance(appearance=appearance, retracted_by=editor, reason="Wrong claim.")
    assert notifications.create_notifications(kind=Kind.DENIAL, target_ids=[appearance.pk]) == []
    assert not Notification.objects.exists()


def test_an_unknown_kind_of_notification_is_refused(claim):
    with pytest.raises(Exception, match="Unknown kind"):
        notifications.create_notifications(kind="gossip", target_ids=[1])


# Many followers: one task, a bounded number of queries, no duplicates -----------------------------


def test_two_hundred_followers_are_one_task_and_a_bounded_number_of_queries(
    claim, editor, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    people = factories.JournalistFactory.create_batch(200)
    Follow.objects.bulk_create(Follow(claim=claim, user=person, reason=Follow.Reason.CHOSE) for person in people)
    with django_capture_on_commit_callbacks(execute=False):
        change = services.change_status(claim=claim, to_status=ClaimStatus.FALSE, rationale="x", changed_by=editor)
    queued = OutboxMessage.objects.filter(task_name=tasks.create_notifications.name)
    assert [(m.args) for m in queued] == [[Kind.STATUS_CHANGED, [change.pk]]]

    # Events, recipients, the inserts (batches of the backend's largest), the ids to email, the
    # email task queued.
    with django_assert_max_num_queries(12):
        to_email = notifications.create_notifications(kind=Kind.STATUS_CHANGED, target_ids=[change.pk])
    assert len(to_email) == 201  # the 200, and the journalist who logged it

    with django_assert_max_num_queries(12):
        again = notifications.create_notifications(kind=Kind.STATUS_CHANGED, target_ids=[change.pk])
    assert Notification.objects.count() == 201
    assert sorted(again) == sorted(to_email)


def test_running_the_tasks_twice_notifies_and_emails_once(claim, editor, run_on_commit):
    follower(claim, "amal")
    change = run_on_commit(_status_change, claim, editor)
    run_on_commit(tasks.create_notifications, Kind.STATUS_CHANGED, [change.pk])
    ids = list(Notification.objects.values_list("pk", flat=True))
    tasks.send_notification_emails(ids)

    assert told(Kind.STATUS_CHANGED) == ["amal", "jo"]
    assert sorted(message.to[0] for message in mail.outbox) == ["amal@newsroom.example", "jo@newsroom.example"]


# In the page -----------------------------------------------------------------------------------------


def test_the_header_shows_the_unread_count_to_newsroom_users(client, claim, editor, journalist, run_on_commit):
    run_on_commit(_status_change, claim, editor)
    run_on_commit(_verdict, claim, editor)
    client.force_login(journalist)
    page = client.get("/claims/").content.decode()
    assert 'class="badge unread-count"' in page
    assert "2 unread notifications" in page

    client.force_login(editor)  # the actor: nothing unread
    page = client.get("/claims/").content.decode()
    assert reverse("claims:notifications") in page
    assert "unread-count" not in page


def test_the_header_has_no_notifications_for_accounts_without_a_role(as_outsider):
    page = as_outsider.get("/claims/").content.decode()
    assert reverse("claims:notifications") not in page


def test_the_notifications_page_lists_newest_first_with_links(as_journalist, claim, editor, run_on_commit):
    run_on_commit(_denial, claim, editor)
    run_on_commit(_status_change, claim, editor)
    page = as_journalist.get(reverse("claims:notifications")).content.decode()
    assert page.index("Status changed") < page.index("Denial recorded")
    change = Notification.objects.get(kind=Kind.STATUS_CHANGED).status_change
    assert f'href="{claim.get_absolute_url()}#status-change-{change.pk}"' in page


def test_marking_one_read_and_all_read(as_journalist, claim, editor, run_on_commit):
    run_on_commit(_denial, claim, editor)
    run_on_commit(_status_change, claim, editor)
    first, second = Notification.objects.order_by("pk")

    response = as_journalist.post(reverse("claims:notification-read", args=[first.pk]))
    assert response["Location"] == reverse("claims:notifications")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None

    as_journalist.post(reverse("claims:notifications-read-all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_marking_someone_elses_notification_read_is_404_and_changes_nothing(client, claim, editor, run_on_commit):
    run_on_commit(_denial, claim, editor)
    notification = Notification.objects.get()
    client.force_login(editor)
    assert client.post(reverse("claims:notification-read", args=[notification.pk])).status_code == 404
    client.post(reverse("claims:notifications-read-all"))
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("count", [1, 120])
def test_the_notifications_page_runs_a_fixed_number_of_queries(
    as_journalist, journalist, claim, editor, count, django_assert_max_num_queries
):
    appearances = [
        factories.make_appearance(claim=claim, stance=Stance.DENIES, recorded_by=editor) for _ in range(count)
    ]
    Notification.objects.bulk_create(
        Notification(recipient=journalist, claim=claim, kind=Kind.DENIAL, appearance=a, actor=editor)
        for a in appearances
    )
    # Per request (8, with the header's count), the page's count and rows.
    with django_assert_max_num_queries(10):
        response = as_journalist.get(reverse("claims:notifications"), {"page": 2 if count > 50 else 1})
    assert response.status_code == 200


def test_email_settings_page_saves_the_choice(as_journalist, journalist):
    assert (
        'value="immediately" id="id_email_0" required checked'
        in as_journalist.get(reverse("claims:notification-settings")).content.decode()
    )
    response = as_journalist.post(reverse("claims:notification-settings"), {"email": "daily"})
    assert response.status_code == 302
    assert NotificationSettings.objects.get(user=journalist).email == NotificationSettings.Email.DAILY
    assert (
        'value="daily" id="id_email_1" required checked'
        in as_journalist.get(reverse("claims:notification-settings")).content.decode()
    )


def test_an_unknown_email_setting_is_a_form_error_and_changes_nothing(as_journalist, journalist):
    email_setting(journalist, NotificationSettings.Email.NEVER)
    response = as_journalist.post(reverse("claims:notification-settings"), {"email": "hourly"})
    assert response.status_code == 400
    assert 'class="errors"' in response.content.decode()
    assert NotificationSettings.objects.get(user=journalist).email == NotificationSettings.Email.NEVER


# Email ------------------------------------------------------------------------------------------------


def test_an_immediate_email_has_the_claims_text_and_a_link_to_its_page(claim, editor, run_on_commit, settings):
    settings.CLAIMTRACK_SITE_URL = "https://claims.newsroom.example"
    run_on_commit(_verdict, claim, editor)

    (message,) = mail.outbox
    assert message.to == ["jo@newsroom.example"]
    assert message.subject == f"[claimtrack] Verdict published: {claim.text}"
    assert claim.text in message.body
    verdict = Notification.objects.get().verdict
    assert f"https://claims.newsroom.example/claims/{claim.pk}/#verdict-{verdict.pk}" in message.body
    assert "&quot;" not in message.body and "&#x27;" not in message.body  # plain text, not HTML-escaped
    notification = Notification.objects.get()
    assert (notification.email_state, notification.emailed_at is not None) == (Notification.EmailState.SENT, True)


def test_emails_are_sent_by_a_task_never_in_the_request(as_editor, claim, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        as_editor.post(
            reverse("claims:status-change", args=[claim.pk]),
            {"to_status": "false", "rationale": "Site visit.", "expected_status": claim.status},
        )
    assert mail.outbox == []
    assert OutboxMessage.objects.filter(task_name=tasks.create_notifications.name).count() == 1


def test_a_daily_digest_gathers_the_days_notifications_in_one_email_per_user(claim, editor, run_on_commit):
    amal = follower(claim, "amal")
    for person in (amal, claim.created_by):
        email_setting(person, NotificationSettings.Email.DAILY, last_digest_at=timezone.now())
    run_on_commit(_denial, claim, editor)
    run_on_commit(_status_change, claim, editor)
    run_on_commit(_verdict, claim, editor)
    assert mail.outbox == []
    assert set(Notification.objects.values_list("email_state", flat=True)) == {Notification.EmailState.DIGEST}

    run_on_commit(tasks.send_due_notification_emails)
    assert mail.outbox == []  # the last digest went out less than a day ago

    NotificationSettings.objects.update(last_digest_at=timezone.now() - timedelta(days=1, minutes=1))
    run_on_commit(tasks.send_due_notification_emails)
    assert sorted(message.to[0] for message in mail.outbox) == ["amal@newsroom.example", "jo@newsroom.example"]
    body = mail.outbox[0].body
    assert "Denial recorded" in body and "Status changed" in body and "Verdict published" in body
    assert set(Notification.objects.values_list("email_state", flat=True)) == {Notification.EmailState.SENT}

    run_on_commit(tasks.send_due_notification_emails)
    tasks.send_digest(amal.pk)
    assert len(mail.outbox) == 2  # one digest per user per day


def test_beat_schedules_the_digest():
    from django.conf import settings

    assert {
        "task": "claims.tasks.send_due_notification_emails",
        "schedule": 300.0,
    } in settings.CELERY_BEAT_SCHEDULE.values()


def test_never_emails_nothing(claim, editor, journalist, run_on_commit):
    email_setting(journalist, NotificationSettings.Email.NEVER)
    run_on_commit(_status_change, claim, editor)
    NotificationSettings.objects.update(last_digest_at=timezone.now() - timedelta(days=2))
    run_on_commit(tasks.send_due_notification_emails)
    assert mail.outbox == []
    assert Notification.objects.get().email_state == Notification.EmailState.NOT_SENT


def test_changing_the_setting_moves_what_waits(claim, editor, journalist, run_on_commit):
    email_setting(journalist, NotificationSettings.Email.DAILY, last_digest_at=timezone.now())
    run_on_commit(_status_change, claim, editor)
    assert mail.outbox == []
    run_on_commit(
        notifications.update_notification_settings, user=journalist, email=NotificationSettings.Email.IMMEDIATELY
    )
    assert [message.to for message in mail.outbox] == [["jo@newsroom.example"]]


class RefusingBackend:
    """A mail server that refuses everything."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_an_email_the_server_refused_is_sent_again_by_beat(claim, editor, run_on_commit, settings):
    settings.EMAIL_BACKEND = "claims.tests.test_notifications.RefusingBackend"
    run_on_commit(_status_change, claim, editor)
    notification = Notification.objects.get()
    assert notification.email_state == Notification.EmailState.PENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    run_on_commit(tasks.send_due_notification_emails)
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_state == Notification.EmailState.SENT


def test_a_user_without_an_email_address_is_told_in_the_page_only(claim, editor, run_on_commit):
    follower(claim, "noaddress", email="")
    run_on_commit(_status_change, claim, editor)
    assert Notification.objects.get(recipient__username="noaddress").email_state == Notification.EmailState.NOT_SENT
    assert [message.to for message in mail.outbox] == [["jo@newsroom.example"]]


def test_the_mail_settings_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL)"
    )
    result = run_django(
        {
            "SECRET_KEY": "x",
            "EMAIL_HOST": "smtp.newsroom.example",
            "EMAIL_PORT": "587",
            "EMAIL_USE_TLS": "yes",
            "DEFAULT_FROM_EMAIL": "desk@newsroom.example",
        },
        code,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.newsroom.example",
        "587",
        "True",
        "desk@newsroom.example",
    ]
    development = run_django({"DEBUG": "1"}, code)
    assert development.stdout.startswith("django.core.mail.backends.console.EmailBackend")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EMAIL_PORT", "smtp"),
        ("EMAIL_USE_TLS", "maybe"),
        ("DEFAULT_FROM_EMAIL", "desk"),
        ("CLAIMTRACK_SITE_URL", "claims"),
    ],
)
def test_a_bad_mail_setting_stops_start_up_naming_it(variable, value):
    result = run_django({"SECRET_KEY": "x", variable: value})
    assert result.returncode != 0
    assert variable in result.stderr
