"""Assignment: who is on a claim. Assigned to one or more journalists and editors, ended (never
deleted), on the timeline; "My claims" lists what is assigned to me or followed by me; the desk
shows claims with new activity that nobody is on."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import notifications, selectors, services
from claims.models import Assignment, Claim, Follow
from tests import factories

pytestmark = pytest.mark.django_db


def assign_url(claim):
    return reverse("claims:assignment-create", args=[claim.pk])


def last_activity(claim):
    return Claim.objects.values_list("last_activity_at", flat=True).get(pk=claim.pk)


def merge_away(claim):
    """What merge_claims leaves on an absorbed claim (merging is another service's)."""
    survivor = factories.make_claim(text="The surviving claim")
    Claim.objects.filter(pk=claim.pk).update(merged_into=survivor)
    return survivor


@pytest.fixture
def rana(db):
    return factories.JournalistFactory(username="rana")


# Assigning -----------------------------------------------------------------------------------


def test_an_editor_assigns_a_journalist_from_the_claim_page_and_the_timeline_says_so(as_editor, editor, rana, claim):
    before = last_activity(claim)
    page = as_editor.get(claim.get_absolute_url()).content.decode()
    assert f'<option value="{rana.pk}">rana</option>' in page
    response = as_editor.post(assign_url(claim), {"user": rana.pk})
    assignment = Assignment.objects.get()
    assert response.status_code == 302
    assert (assignment.claim, assignment.user, assignment.assigned_by, assignment.unassigned_at) == (
        claim,
        rana,
        editor,
        None,
    )
    assert last_activity(claim) > before
    html = as_editor.get(claim.get_absolute_url()).content.decode()
    assert f'id="assignment-{assignment.pk}"' in html
    assert "assigned to rana by ed" in html
    assert f'id="on-claim-{rana.pk}"' in html


def test_a_claim_can_have_several_people_on_it(editor, journalist, rana, claim):
    services.assign_claim(claim_id=claim.pk, user=journalist, assigned_by=editor)
    services.assign_claim(claim_id=claim.pk, user=rana, assigned_by=editor)
    timeline = selectors.claim_timeline(claim, include_newsroom=True)
    assert {a.user for a in selectors.current_assignments(timeline)} == {journalist, rana}


def test_a_journalist_assigns_themselves_with_assign_me(as_journalist, journalist, claim):
    page = as_journalist.get(claim.get_absolute_url()).content.decode()
    assert "Assign me" in page
    as_journalist.post(assign_url(claim), {"user": journalist.pk})
    assert Assignment.objects.get().user == journalist
    assert "Assign me" not in as_journalist.get(claim.get_absolute_url()).content.decode()


def test_assigning_someone_already_on_the_claim_changes_nothing(as_editor, editor, rana, claim):
    first = services.assign_claim(claim_id=claim.pk, user=rana, assigned_by=editor)
    before = last_activity(claim)
    assert services.assign_claim(claim_id=claim.pk, user=rana, assigned_by=editor) is None
    response = as_editor.post(assign_url(claim), {"user": rana.pk}, follow=True)
    assert response.status_code == 200
    assert "rana is already on this claim" in response.content.decode()
    assert list(Assignment.objects.all()) == [first]
    assert last_activity(claim) == before


def test_assigning_a_user_without_a_newsroom_role_is_refused_and_nothing_is_stored(as_editor, editor, outsider, claim):
    before = last_activity(claim)
    response = as_editor.post(assign_url(claim), {"user": outsider.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert f'<option value="{outsider.pk}">' not in response.content.decode()
    with pytest.raises(ValidationError, match="otto has no newsroom role"):
        services.assign_claim(claim_id=claim.pk, user=outsider, assigned_by=editor)
    assert not Assignment.objects.exists()
    assert last_activity(claim) == before


@pytest.mark.parametrize("user", ["", "abc", "999999", "-1"])
def test_a_malformed_assignment_is_refused(as_editor, claim, user):
    response = as_editor.post(assign_url(claim), {"user": user})
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_assigning_on_a_claim_merged_away_is_refused(as_editor, editor, rana, claim):
    survivor = merge_away(claim)
    # The form is sent on to the claim that stands for it, saying nothing was saved.
    response = as_editor.post(assign_url(claim), {"user": rana.pk}, follow=True)
    assert response.redirect_chain == [(survivor.get_absolute_url(), 302)]
    assert f"merged into claim {survivor.pk}: nothing was saved" in response.content.decode()
    with pytest.raises(services.MergedAway):
        services.assign_claim(claim_id=claim.pk, user=rana, assigned_by=editor)
    assert not Assignment.objects.exists()


def test_outsiders_cannot_assign(as_outsider, journalist, claim):
    assert as_outsider.post(assign_url(claim), {"user": journalist.pk}).status_code == 403
    assert not Assignment.objects.exists()


# Unassigning ---------------------------------------------------------------------------------


def test_unassigning_ends_the_assignment_and_the_timeline_keeps_both(as_editor, editor, rana, claim):
    assignment = services.assign_claim(claim_id=claim.pk, user=rana, assigned_by=editor)
    before = last_activity(claim)
    as_editor.post(reverse("claims:assignment-end", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert assignment.unassigned_at is not None and assignment.unassigned_by == editor
    assert last_activity(claim) > before
    html = as_editor.get(claim.get_absolute_url()).content.decode()
    assert "assigned to rana by ed" in html and "rana unassigned by ed" in html
    assert f'id="unassignment-{assignment.pk}"' in html
    assert "Nobody is assigned." in html


def test_someone_taken_off_can_be_assigned_again_as_a_new_row(editor, rana, claim):
    first = services.assign_claim(claim_id=claim.pk, user=rana, assigned_by=editor)
    services.unassign_claim(claim_id=claim.pk, user=rana, unassigned_by=editor)
    second = services.assign_claim(claim_id=claim.pk, user=rana, assigned_by=editor)
    assert second is not None and second.pk != first.pk
    assert Assignment.objects.filter(unassigned_at__isnull=True).get() == second


def test_unassigning_someone_not_on_the_claim_is_refused(as_editor, editor, rana, claim):
    assignment = services.assign_claim(claim_id=claim.pk, user=rana, assigned_by=editor)
    services.unassign_claim(claim_id=claim.pk, user=rana, unassigned_by=editor)
    ended_at = Assignment.objects.get().unassigned_at
    with pytest.raises(ValidationError, match="rana is not assigned"):
        services.unassign_claim(claim_id=claim.pk, user=rana, unassigned_by=editor)
    response = as_editor.post(reverse("claims:assignment-end", args=[assignment.pk]), follow=True)
    assert "rana is not assigned" in response.content.decode()
    assert Assignment.objects.get().unassigned_at == ended_at


def test_assignments_are_in_the_audit_trail(editor, rana, claim):
    services.assign_claim(claim_id=claim.pk, user=rana, assigned_by=editor)
    services.unassign_claim(claim_id=claim.pk, user=rana, unassigned_by=editor)
    entries = [e for e in selectors.claim_audit_trail(claim) if e.object_label == "assignment"]
    assert [(e.action, e.who) for e in entries] == [("created", "ed"), ("changed", "ed")]


# My claims -----------------------------------------------------------------------------------


def test_my_claims_lists_what_i_am_assigned_to_or_follow_newest_activity_first(as_journalist, journalist, editor):
    now = timezone.now()
    assigned = factories.make_claim(text="Assigned to me", first_seen_at=now - timedelta(hours=5))
    followed = factories.make_claim(text="Followed by me", first_seen_at=now - timedelta(hours=4))
    ended = factories.make_claim(text="I was taken off", first_seen_at=now - timedelta(hours=3))
    unfollowed = factories.make_claim(text="I unfollowed it", first_seen_at=now - timedelta(hours=3))
    others = factories.make_claim(text="Somebody else's", first_seen_at=now - timedelta(hours=3))
    merged = factories.make_claim(text="Merged away", first_seen_at=now - timedelta(hours=3))
    services.assign_claim(claim_id=assigned.pk, user=journalist, assigned_by=editor)
    services.assign_claim(claim_id=merged.pk, user=journalist, assigned_by=editor)
    services.assign_claim(claim_id=ended.pk, user=journalist, assigned_by=editor)
    services.unassign_claim(claim_id=ended.pk, user=journalist, unassigned_by=editor)
    # Being assigned made them follow it; taken off, they stop following it too.
    notifications.unfollow_claim(claim_id=ended.pk, user=journalist)
    services.assign_claim(claim_id=others.pk, user=editor, assigned_by=editor)
    Follow.objects.create(claim=followed, user=journalist, reason=Follow.Reason.CHOSE)
    Follow.objects.create(claim=unfollowed, user=journalist, reason=Follow.Reason.CHOSE, active=False)
    # (the editor follows `others`, having been assigned to it)
    merge_away(merged)
    # The followed claim has the newest activity.
    Claim.objects.filter(pk=followed.pk).update(last_activity_at=now + timedelta(minutes=1))
    response = as_journalist.get(reverse("claims:mine"))
    assert [c.pk for c in response.context["page"].object_list] == [followed.pk, assigned.pk]
    html = response.content.decode()
    assert "Assigned to you" in html and "Following" in html
    assert "Somebody else" not in html and "Merged away" not in html and "taken off" not in html


def test_my_claims_tells_a_claim_with_activity_since_i_was_assigned(as_journalist, journalist, editor):
    quiet, busy = factories.make_claim(text="Quiet claim"), factories.make_claim(text="Busy claim")
    for claim in (quiet, busy):
        services.assign_claim(claim_id=claim.pk, user=journalist, assigned_by=editor)
    services.add_note(claim_id=busy.pk, author=editor, text="Ministry called back.")
    html = as_journalist.get(reverse("claims:mine")).content.decode()
    busy_row = html[html.index(f'id="my-claim-{busy.pk}"') :]
    quiet_row = html[html.index(f'id="my-claim-{quiet.pk}"') :]
    assert "new since you were assigned" in busy_row[: busy_row.index("</tr>")]
    assert "new since you were assigned" not in quiet_row[: quiet_row.index("</tr>")]


def test_the_header_links_to_my_claims(as_journalist):
    assert f'href="{reverse("claims:mine")}"' in as_journalist.get(reverse("claims:list")).content.decode()


def test_my_claims_is_empty_for_someone_on_nothing(as_journalist):
    assert "Nothing assigned to you or followed yet" in as_journalist.get(reverse("claims:mine")).content.decode()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_my_claims_runs_as_many_queries_for_60_claims_as_for_one(client, journalist, editor):
    first = factories.make_claim(text="Claim 0", tags=["kirkuk"])
    services.assign_claim(claim_id=first.pk, user=journalist, assigned_by=editor)
    client.force_login(journalist)
    one = count_queries(client, reverse("claims:mine"))
    for n in range(1, 60):
        claim = factories.make_claim(text=f"Claim {n}", tags=[f"tag{n % 5}"])
        if n % 2:
            services.assign_claim(claim_id=claim.pk, user=journalist, assigned_by=editor)
        else:
            Follow.objects.create(claim=claim, user=journalist, reason=Follow.Reason.CHOSE)
    assert count_queries(client, reverse("claims:mine")) == one
    assert client.get(reverse("claims:mine")).content.decode().count('id="my-claim-') == 50  # one page


@pytest.mark.parametrize("role", ["journalist", "editor"])
def test_the_claim_page_runs_as_many_queries_with_many_assignments_as_with_one(client, journalist, editor, role):
    small, large = factories.make_claim(text="Small claim"), factories.make_claim(text="Large claim")
    services.assign_claim(claim_id=small.pk, user=journalist, assigned_by=editor)
    for n in range(30):
        user = factories.JournalistFactory(username=f"j{n}")
        services.assign_claim(claim_id=large.pk, user=user, assigned_by=editor)
        if n % 2:
            services.unassign_claim(claim_id=large.pk, user=user, unassigned_by=editor)
    client.force_login(journalist if role == "journalist" else editor)
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())


# The desk ------------------------------------------------------------------------------------


def test_the_desk_shows_claims_with_new_activity_that_nobody_is_on(as_editor, editor, journalist):
    nobody = factories.make_claim(text="Nobody is on this one")
    someone = factories.make_claim(text="Jo is on this one")
    quiet = factories.make_claim(text="Nothing new on this one")
    for claim in (nobody, someone):
        factories.make_appearance(claim=claim, recorded_by=journalist, seen_at=timezone.now())
    services.assign_claim(claim_id=someone.pk, user=journalist, assigned_by=editor)
    html = as_editor.get(reverse("claims:desk")).content.decode()
    section = html[html.index('id="desk-unassigned"') : html.index('id="desk-proposals"')]
    assert "Nobody is on this one" in section
    assert "Jo is on this one" not in section and quiet.text not in section
    assert list(selectors.unassigned_claims_with_new_activity()) == [nobody]


# Races ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_editors_assigning_the_same_journalist_at_once_make_one_assignment():
    from claims.tests.test_races import run_at_once

    claim = factories.make_claim()
    journalist = factories.JournalistFactory(username="rana")
    editors = [factories.EditorFactory(username="first"), factories.EditorFactory(username="second")]

    outcomes = run_at_once(
        *[lambda e=e: services.assign_claim(claim_id=claim.pk, user=journalist, assigned_by=e) for e in editors]
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Assignment", "NoneType"], outcomes
    assert Assignment.objects.filter(claim=claim, user=journalist).count() == 1
