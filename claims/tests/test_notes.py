"""Notes: the newsroom's internal discussion of a claim. Append-only, plain text with safe links,
@mentions of journalists and editors; part of the newsroom record, never of what partners see."""

import json

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import selectors, services
from claims.mentions import mentioned_usernames, note_html
from claims.models import NOTE_MAX_LENGTH, Claim, ClaimStatus, Note
from partners import services as partner_services
from partners import tasks as partner_tasks
from partners.events import STATUS_CHANGED, VERDICT_PUBLISHED
from partners.models import WebhookDelivery
from tests import factories

pytestmark = pytest.mark.django_db


def note_url(claim):
    return reverse("claims:note-create", args=[claim.pk])


def token_of(response) -> str:
    html = response.content.decode()
    form = html[html.index('name="action" value="note"') :]
    start = form.index('name="submission_token" value="') + len('name="submission_token" value="')
    return form[start : form.index('"', start)]


def last_activity(claim) -> object:
    return Claim.objects.values_list("last_activity_at", flat=True).get(pk=claim.pk)


def merge_away(claim):
    """What merge_claims leaves on an absorbed claim (merging is another service's)."""
    survivor = factories.make_claim(text="The surviving claim")
    Claim.objects.filter(pk=claim.pk).update(merged_into=survivor)
    return survivor


# Adding a note ------------------------------------------------------------------------------


def test_journalist_adds_a_note_that_mentions_a_colleague_and_it_shows_on_the_timeline(
    as_journalist, journalist, editor, claim
):
    before = last_activity(claim)
    response = as_journalist.post(note_url(claim), {"text": "Called the ministry spokesman, no answer yet. @ed?"})
    note = Note.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#note-{note.pk}")
    assert (note.claim, note.author, note.text) == (
        claim,
        journalist,
        "Called the ministry spokesman, no answer yet. @ed?",
    )
    assert list(note.mentions.all()) == [editor]
    assert last_activity(claim) > before
    html = as_journalist.get(claim.get_absolute_url()).content.decode()
    assert f'id="note-{note.pk}"' in html
    assert "Note by jo" in html
    assert '<strong class="mention">@ed</strong>' in html


def test_add_note_returns_the_note_with_its_mentioned_users_for_notifying_them(journalist, editor, claim):
    other = factories.JournalistFactory(username="rana")
    note = services.add_note(claim_id=claim.pk, author=journalist, text="@Rana and @ed, and @rana again")
    assert set(note.mentions.all()) == {other, editor}


def test_mentions_are_read_as_people_would_write_them():
    assert mentioned_usernames("@jo: call @ed.smith, cc ed@example.com and https://x.example/@rana @jo") == [
        "jo",
        "ed.smith",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Ask @bob about it", "No newsroom user @bob"),
        ("@jo @nobody1 @nobody2", "No newsroom user @nobody1, @nobody2"),
    ],
)
def test_a_mention_of_an_unknown_user_is_refused_naming_it_and_nothing_is_stored(as_journalist, claim, text, message):
    before = last_activity(claim)
    response = as_journalist.post(note_url(claim), {"text": text})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert text in response.content.decode()  # the journalist's text is kept to correct
    assert not Note.objects.exists()
    assert last_activity(claim) == before


def test_a_mention_of_a_user_without_a_newsroom_role_is_refused(as_journalist, outsider, claim):
    response = as_journalist.post(note_url(claim), {"text": "Ask @otto"})
    assert response.status_code == 400
    assert "@otto has no newsroom role" in response.content.decode()
    assert not Note.objects.exists()


def test_a_mention_of_an_inactive_journalist_is_refused(journalist, claim):
    factories.JournalistFactory(username="gone", is_active=False)
    with pytest.raises(ValidationError, match="@gone has no newsroom role"):
        services.add_note(claim_id=claim.pk, author=journalist, text="@gone knew")
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "This field is required."),
        ("   \n\t  ", "This field is required."),
        ("x" * 10_000, f"at most {NOTE_MAX_LENGTH} characters"),
    ],
    ids=["empty", "whitespace", "10000 characters"],
)
def test_an_empty_or_too_long_note_is_refused_with_a_clear_error_and_changes_nothing(
    as_journalist, claim, text, message
):
    before = last_activity(claim)
    response = as_journalist.post(note_url(claim), {"text": text})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Note.objects.exists()
    assert last_activity(claim) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "it is empty"), (" \x00 \n", "it is empty"), ("y" * 10_000, "this one has 10000")],
    ids=["empty", "only a NUL and spaces", "10000 characters"],
)
def test_the_service_refuses_empty_and_too_long_notes_whoever_calls(journalist, claim, text, message):
    with pytest.raises(ValidationError, match=message):
        services.add_note(claim_id=claim.pk, author=journalist, text=text)
    assert not Note.objects.exists()


def test_unstorable_characters_are_dropped_from_a_note(journalist, claim):
    note = services.add_note(claim_id=claim.pk, author=journalist, text="no\x00 answer \ud800yet")
    assert Note.objects.get(pk=note.pk).text == "no answer yet"


def test_a_double_clicked_note_form_saves_one_note(as_journalist, claim):
    token = token_of(as_journalist.get(claim.get_absolute_url()))
    first = as_journalist.post(note_url(claim), {"text": "Spokesman: no comment.", "submission_token": token})
    second = as_journalist.post(
        note_url(claim), {"text": "Spokesman: no comment.", "submission_token": token}, follow=True
    )
    assert first.status_code == 302
    assert Note.objects.count() == 1
    assert "already saved" in second.content.decode()


def test_a_note_on_a_claim_merged_away_is_refused_with_a_clear_error(as_journalist, journalist, claim):
    survivor = merge_away(claim)
    # The form is sent on to the claim that stands for it, saying nothing was saved.
    response = as_journalist.post(note_url(claim), {"text": "Still looking"}, follow=True)
    assert response.redirect_chain == [(survivor.get_absolute_url(), 302)]
    assert f"merged into claim {survivor.pk}: nothing was saved" in response.content.decode()
    with pytest.raises(services.MergedAway):
        services.add_note(claim_id=claim.pk, author=journalist, text="Still looking")
    assert not Note.objects.exists()


def test_outsiders_cannot_add_notes(as_outsider, claim):
    assert as_outsider.post(note_url(claim), {"text": "Hello"}).status_code == 403
    assert not Note.objects.exists()


# Rendering: plain text, safe links ------------------------------------------------------------

HOSTILE = (
    '<script>alert("x")</script> <img src=x onerror=alert(1)> javascript:alert(1) '
    '<a href="javascript:alert(2)">click</a> [me](javascript:alert(3)) "onmouseover="alert(4)'
)


def test_a_hostile_note_is_shown_as_inert_text(as_journalist, journalist, claim):
    note = services.add_note(claim_id=claim.pk, author=journalist, text=HOSTILE)
    html = as_journalist.get(claim.get_absolute_url()).content.decode()
    body = html[html.index(f'id="note-{note.pk}"') :]
    body = body[: body.index("</li>")]
    assert "<script>" not in body and "<img" not in body and '<a href="javascript' not in body
    assert 'href="javascript' not in body and "href='javascript" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "javascript:alert(1)" in body  # shown, as text


def test_addresses_in_a_note_become_links_that_pass_nothing_to_the_target(as_journalist, journalist, claim):
    services.add_note(
        claim_id=claim.pk, author=journalist, text="Their post: https://example.org/post?a=1&b=2 and www.example.net"
    )
    html = as_journalist.get(claim.get_absolute_url()).content.decode()
    assert (
        '<a href="https://example.org/post?a=1&amp;b=2" rel="nofollow noopener noreferrer">'
        "https://example.org/post?a=1&amp;b=2</a>"
    ) in html
    assert '<a href="http://www.example.net" rel="nofollow noopener noreferrer">www.example.net</a>' in html


def test_only_resolved_mentions_are_highlighted_and_never_inside_links():
    html = note_html("@jo see https://x.example/@jo and @ed", {"jo"})
    assert html.count('<strong class="mention">') == 1
    assert '<strong class="mention">@jo</strong> see' in html
    assert 'href="https://x.example/@jo"' in html


def test_line_breaks_of_a_note_are_kept(as_journalist, journalist, claim):
    services.add_note(claim_id=claim.pk, author=journalist, text="first line\nsecond line")
    assert "first line<br>second line" in as_journalist.get(claim.get_absolute_url()).content.decode()


# Retracting -----------------------------------------------------------------------------------


def test_the_author_retracts_a_note_with_a_reason_and_it_stays_shown_as_retracted(as_journalist, journalist, claim):
    note = services.add_note(claim_id=claim.pk, author=journalist, text="The ministry confirmed it.")
    response = as_journalist.post(reverse("claims:note-retract", args=[note.pk]), {"reason": "Wrong claim."})
    assert response["Location"].endswith(f"#note-{note.pk}")
    note.refresh_from_db()
    assert (note.retracted_by, note.retraction_reason, note.text) == (
        journalist,
        "Wrong claim.",
        "The ministry confirmed it.",
    )
    html = as_journalist.get(claim.get_absolute_url()).content.decode()
    body = html[html.index(f'id="note-{note.pk}"') :]
    assert "<del>" in body[: body.index("</li>")] and "Wrong claim." in body[: body.index("</li>")]
    assert "Retract note" not in body[: body.index("</li>")]


def test_a_journalist_cannot_retract_a_colleagues_note_but_an_editor_can(client, journalist, editor, claim):
    note = services.add_note(claim_id=claim.pk, author=factories.JournalistFactory(username="rana"), text="My lead.")
    client.force_login(journalist)
    assert client.post(reverse("claims:note-retract", args=[note.pk]), {"reason": "x"}).status_code == 403
    note.refresh_from_db()
    assert note.retracted_at is None
    client.force_login(editor)
    client.post(reverse("claims:note-retract", args=[note.pk]), {"reason": "Off topic."})
    note.refresh_from_db()
    assert note.retracted_by == editor


def test_a_note_is_retracted_once_and_needs_a_reason(as_journalist, journalist, claim):
    note = services.add_note(claim_id=claim.pk, author=journalist, text="Lead")
    url = reverse("claims:note-retract", args=[note.pk])
    assert "Say why" in as_journalist.post(url, {"reason": " "}, follow=True).content.decode()
    as_journalist.post(url, {"reason": "First reason."})
    again = as_journalist.post(url, {"reason": "Second."}, follow=True)
    assert "already retracted" in again.content.decode()
    note.refresh_from_db()
    assert note.retraction_reason == "First reason."


def test_notes_cannot_be_changed_or_deleted_through_the_admin(client, editor, journalist, claim):
    note = services.add_note(claim_id=claim.pk, author=journalist, text="Admin sees this.")
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    client.force_login(editor)
    assert "Admin sees this." in client.get(reverse("admin:claims_note_change", args=[note.pk])).content.decode()
    assert client.get(reverse("admin:claims_note_changelist")).status_code == 200
    model_admin = admin_site._registry[Note]
    request = type("Request", (), {"user": editor})()
    assert not model_admin.has_change_permission(request, note)
    assert not model_admin.has_delete_permission(request, note)
    assert not model_admin.has_add_permission(request)
    client.post(reverse("admin:claims_note_delete", args=[note.pk]), {"post": "yes"})
    assert Note.objects.filter(pk=note.pk).exists()


# The newsroom record ------------------------------------------------------------------------


def test_notes_and_their_retraction_are_in_the_audit_trail(as_editor, journalist, editor, claim):
    note = services.add_note(claim_id=claim.pk, author=journalist, text="Audit me")
    services.retract_note(note=note, retracted_by=editor, reason="Duplicate")
    entries = [e for e in selectors.claim_audit_trail(claim) if e.object_label == "note"]
    assert [(e.action, e.who) for e in entries] == [("created", "jo"), ("changed", "ed")]
    assert ("retraction_reason", "", "Duplicate") in entries[1].changes
    assert f"note #{note.pk} created" in as_editor.get(claim.get_absolute_url()).content.decode()


# Never partners' -----------------------------------------------------------------------------

SECRET = "Spokesman Hadi off the record: it is the ministry's own leak"


def test_a_notes_text_never_reaches_the_api_webhooks_claimreview_or_the_public_page(client, journalist, editor):
    claim = factories.make_claim(created_by=journalist)
    factories.make_appearance(claim=claim, recorded_by=journalist)
    services.add_note(claim_id=claim.pk, author=journalist, text=f"{SECRET} @ed")
    retracted = services.add_note(claim_id=claim.pk, author=journalist, text=f"{SECRET} (retracted)")
    services.retract_note(note=retracted, retracted_by=journalist, reason=f"{SECRET} reason")
    services.assign_claim(claim_id=claim.pk, user=journalist, assigned_by=editor)
    partner = factories.make_partner()
    partner_services.register_webhook(partner=partner, url="https://93.184.215.14/hooks/notes")
    change = services.change_status(
        claim=claim, to_status=ClaimStatus.FALSE, rationale="Ministry statement.", changed_by=editor
    )
    verdict = services.publish_verdict(claim=claim, rating_name="False", author=editor)
    partner_tasks.fan_out_event(STATUS_CHANGED, change.pk)
    partner_tasks.fan_out_event(VERDICT_PUBLISHED, verdict.pk)

    _key, plain = factories.make_api_key("read", partner=partner)
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    responses = {
        path: api.get(path)
        for path in (
            "/api/v1/claims/",
            f"/api/v1/claims/{claim.pk}/",
            f"/api/v1/claims/{claim.pk}/timeline/",
            f"/api/v1/claims/{claim.pk}/timeline/?include_retracted=true",
            f"/api/v1/claims/{claim.pk}/claimreview/",
            "/api/v1/claimreviews/",
            "/api/v1/appearances/",
            "/api/v1/status-changes/",
        )
    }
    responses[f"/fact-checks/{claim.pk}/"] = Client().get(f"/fact-checks/{claim.pk}/")
    for path, response in responses.items():
        assert response.status_code == 200, path
        body = response.content.decode()
        assert "Spokesman Hadi" not in body, path
        assert '"note"' not in body and '"assignment"' not in body, path
    payloads = [json.dumps(d.payload) for d in WebhookDelivery.objects.all()]
    assert len(payloads) == 2
    assert not [p for p in payloads if "Spokesman Hadi" in p]
    # The newsroom's own page shows it, so the checks above look where the text would be.
    newsroom = Client()
    newsroom.force_login(journalist)
    assert "Spokesman Hadi" in newsroom.get(claim.get_absolute_url()).content.decode()


def test_the_api_timeline_does_not_offer_note_or_assignment_kinds(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert '"note"' not in schema and '"unassignment"' not in schema
    assert set(selectors.PARTNER_TIMELINE_EVENT_KINDS) == {
        "status_change",
        "appearance",
        "revision",
        "availability",
        "verdict",
        "edit",
        "merged_from",
        "merged_status_change",
    }


# Query counts --------------------------------------------------------------------------------


def build_notes(claim, count, authors):
    for n in range(count):
        author = authors[n % len(authors)]
        note = services.add_note(
            claim_id=claim.pk, author=author, text=f"Note {n}: https://example.org/{n} @{authors[(n + 1) % 2].username}"
        )
        if n % 5 == 4:
            services.retract_note(note=note, retracted_by=author, reason=f"Retracted {n}")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["journalist", "editor"])
def test_the_claim_page_runs_as_many_queries_with_60_notes_as_with_one(client, journalist, editor, role):
    small, large = factories.make_claim(text="Small claim"), factories.make_claim(text="Large claim")
    build_notes(small, 1, [journalist, editor])
    build_notes(large, 60, [journalist, editor])
    client.force_login(journalist if role == "journalist" else editor)
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())
    assert client.get(large.get_absolute_url()).content.decode().count('class="event event-note') == 60


# Extreme input (as tests/test_extreme_input.py does for the other forms) ----------------------


def test_the_note_assign_and_retract_forms_survive_extreme_input(client, journalist, editor, claim):
    from hypothesis import example, given
    from hypothesis import strategies as st

    from claims.models import Assignment
    from tests.test_extreme_input import BOUNDED, long_text

    client.force_login(journalist)
    own = services.add_note(claim_id=claim.pk, author=journalist, text="Retract me, maybe")

    def stored():
        return (
            Note.objects.count(),
            Note.objects.filter(retracted_at__isnull=False).count(),
            Assignment.objects.count(),
            last_activity(claim),
        )

    @BOUNDED
    @given(text=long_text | st.just("@ed and @nobody"), user=long_text | st.just(str(editor.pk)), reason=long_text)
    @example(text="Called back: denied. @ed", user=str(editor.pk), reason="")  # the success path too
    def post(text, user, reason):
        for path, data in [
            (note_url(claim), {"text": text, "submission_token": text[:200]}),
            (reverse("claims:assignment-create", args=[claim.pk]), {"user": user}),
            (reverse("claims:note-retract", args=[own.pk]), {"reason": reason}),
        ]:
            before = stored()
            response = client.post(path, data)
            assert response.status_code < 500, response.content[:300]
            if response.status_code == 400 or (path.endswith("/retract/") and not reason.strip()):
                assert stored() == before

    post()
