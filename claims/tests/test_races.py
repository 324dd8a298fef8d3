"""Two writes at once, or the same form posted twice: one winner, and the other is told.

Each test runs real threads with their own database connections (as two requests would), started
together at a barrier. On SQLite the writes are serialised by its IMMEDIATE transactions; on
PostgreSQL they really overlap, which is where a check-then-insert without a lock or a unique
key lets both through."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from claims import services
from claims.models import Appearance, Claim, ClaimStatus, Evidence, StatusProposal, Verdict
from tests.factories import PNG_BYTES, EditorFactory, JournalistFactory, SourceFactory, make_appearance, make_claim

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(*calls):
    """Run each call on its own thread and database connection, started together; return what
    each returned or raised, in order."""
    start = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            outcomes[index] = call()
        except Exception as error:  # the outcome under test, asserted by the caller
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer is stuck"
    return outcomes


# Slugs -------------------------------------------------------------------------------------------


def test_journalists_logging_the_same_claim_at_once_all_succeed_with_distinct_slugs():
    journalists = [JournalistFactory() for _ in range(4)]
    text = "The bridge at Fallujah has collapsed"

    outcomes = run_at_once(*[lambda j=j: services.create_claim(text=text, created_by=j) for j in journalists])

    assert all(isinstance(outcome, Claim) for outcome in outcomes), outcomes
    slugs = set(Claim.objects.filter(text=text).values_list("slug", flat=True))
    assert len(slugs) == 4
    assert "the-bridge-at-fallujah-has-collapsed" in slugs


# Retractions -------------------------------------------------------------------------------------


def test_of_two_retractions_at_once_the_first_reason_stays_and_the_second_is_told():
    appearance = make_appearance()
    editors = [EditorFactory(username="first"), EditorFactory(username="second")]
    # Each request loaded the appearance before either retracted it.
    copies = [Appearance.objects.get(pk=appearance.pk) for _ in editors]

    outcomes = run_at_once(
        *[
            lambda c=c, e=e: services.retract_appearance(appearance=c, retracted_by=e, reason=f"{e.username} says no")
            for c, e in zip(copies, editors, strict=True)
        ]
    )

    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(refused) == 1, outcomes
    stored = Appearance.objects.select_related("retracted_by").get(pk=appearance.pk)
    winner = stored.retracted_by.username
    assert stored.retraction_reason == f"{winner} says no"
    [message] = refused[0].messages
    assert f"already retracted by {winner}" in message and f"“{winner} says no”" in message


def test_of_two_evidence_retractions_at_once_the_first_reason_stays():
    evidence = services.attach_evidence(
        content=PNG_BYTES, content_type="image/png", uploaded_by=JournalistFactory(), claim=make_claim()
    )
    editors = [EditorFactory(username="first"), EditorFactory(username="second")]
    copies = [Evidence.objects.get(pk=evidence.pk) for _ in editors]

    outcomes = run_at_once(
        *[
            lambda c=c, e=e: services.retract_evidence(evidence=c, retracted_by=e, reason=f"{e.username} says no")
            for c, e in zip(copies, editors, strict=True)
        ]
    )

    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(refused) == 1, outcomes
    stored = Evidence.objects.select_related("retracted_by").get(pk=evidence.pk)
    assert stored.retraction_reason == f"{stored.retracted_by.username} says no"
    assert "already retracted by" in refused[0].messages[0]


# The same form posted twice -------------------------------------------------------------------------


def _claim_form(claim, token):
    return "/claims/new/", {"text": "Curfew declared in Basra", "confirm_new": "on", "submission_token": token}


def _appearance_form(claim, token):
    source = SourceFactory()
    data = {"source": source.pk, "stance": "asserts", "quote": "They left.", "submission_token": token}
    return f"/claims/{claim.pk}/appearances/new/", data


def _evidence_form(claim, token):
    upload = SimpleUploadedFile("shot.png", PNG_BYTES, content_type="image/png")
    return f"/claims/{claim.pk}/evidence/new/", {"file": upload, "caption": "Screenshot", "submission_token": token}


def _verdict_form(claim, token):
    return f"/claims/{claim.pk}/verdict/", {"rating": "False", "summary": "No.", "submission_token": token}


def _proposal_form(claim, token):
    return f"/claims/{claim.pk}/proposals/", {
        "to_status": "false",
        "rationale": "See the ministry.",
        "submission_token": token,
    }


FORMS = {
    "claim": (_claim_form, lambda claim: Claim.objects.filter(text="Curfew declared in Basra")),
    "appearance": (_appearance_form, lambda claim: Appearance.objects.filter(claim=claim)),
    "evidence": (_evidence_form, lambda claim: Evidence.objects.filter(claim=claim)),
    "verdict": (_verdict_form, lambda claim: Verdict.objects.filter(claim=claim)),
    "proposal": (_proposal_form, lambda claim: StatusProposal.objects.filter(claim=claim)),
}


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(user, form, claim, token):
    path, data = form(claim, token)
    return _signed_in(user).post(path, data, follow=True)


@pytest.mark.parametrize("kind", FORMS)
def test_the_same_form_posted_twice_saves_once_and_the_second_is_told(kind):
    form, saved = FORMS[kind]
    user = EditorFactory() if kind == "verdict" else JournalistFactory()
    claim = make_claim()

    first = _post(user, form, claim, "token-1")
    second = _post(user, form, claim, "token-1")

    assert first.status_code == second.status_code == 200
    assert saved(claim).count() == 1
    assert "already saved" not in first.content.decode()
    assert "That was already saved: nothing was saved twice." in second.content.decode()


@pytest.mark.parametrize("kind", FORMS)
def test_the_same_form_posted_twice_at_once_saves_once(kind):
    form, saved = FORMS[kind]
    user = EditorFactory() if kind == "verdict" else JournalistFactory()
    claim = make_claim()
    prepared = [form(claim, "token-1") for _ in range(2)]
    clients = [_signed_in(user) for _ in prepared]

    outcomes = run_at_once(
        *[lambda c=c, p=p: c.post(p[0], p[1], follow=True) for c, p in zip(clients, prepared, strict=True)]
    )

    assert [getattr(outcome, "status_code", outcome) for outcome in outcomes] == [200, 200]
    assert saved(claim).count() == 1
    told = ["already saved" in outcome.content.decode() for outcome in outcomes]
    assert sorted(told) == [False, True]


@pytest.mark.parametrize("kind", FORMS)
def test_each_form_is_drawn_with_a_fresh_one_time_token(kind):
    user = EditorFactory() if kind == "verdict" else JournalistFactory()
    claim = make_claim()
    client = _signed_in(user)
    page = "/claims/new/" if kind == "claim" else f"/claims/{claim.pk}/"

    tokens = [client.get(page).context[f"{kind}_form" if kind != "claim" else "form"] for _ in range(2)]

    values = [form["submission_token"].value() for form in tokens]
    assert all(values) and values[0] != values[1]
    assert 'name="submission_token"' in client.get(page).content.decode()


def test_two_different_forms_save_two_rows():
    editor = EditorFactory()
    claim = make_claim()

    _post(editor, _verdict_form, claim, "token-1")
    _post(editor, _verdict_form, claim, "token-2")

    assert Verdict.objects.filter(claim=claim).count() == 2


def test_another_users_token_does_not_find_the_first_users_row():
    claim = make_claim()

    _post(EditorFactory(), _verdict_form, claim, "same-token")
    second = _post(EditorFactory(), _verdict_form, claim, "same-token")

    assert Verdict.objects.filter(claim=claim).count() == 2
    assert "already saved" not in second.content.decode()


def test_a_second_pending_proposal_of_the_same_status_is_refused_clearly():
    journalist = JournalistFactory()
    claim = make_claim()
    services.propose_status_change(
        claim=claim, to_status=ClaimStatus.FALSE, rationale="Ministry", proposed_by=journalist
    )

    with pytest.raises(ValidationError) as refusal:
        services.propose_status_change(
            claim=claim, to_status=ClaimStatus.FALSE, rationale="Again", proposed_by=journalist
        )

    assert "still waiting for an editor" in refusal.value.messages[0]
    assert StatusProposal.objects.filter(claim=claim).count() == 1


def test_two_proposals_of_the_same_status_at_once_make_one():
    journalist = JournalistFactory()
    claim = make_claim()

    outcomes = run_at_once(
        *[
            lambda r=r: services.propose_status_change(
                claim=claim, to_status=ClaimStatus.FALSE, rationale=r, proposed_by=journalist
            )
            for r in ("one", "two")
        ]
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["StatusProposal", "ValidationError"]
    assert StatusProposal.objects.filter(claim=claim).count() == 1


def test_the_admin_add_form_saved_twice_logs_one_claim_and_says_so(admin_client):
    assert 'name="submission_token"' in admin_client.get("/admin/claims/claim/add/").content.decode()
    data = {
        "text": "Curfew declared in Basra",
        "places": "Basra",
        "first_seen_at_0": "2026-11-30",
        "first_seen_at_1": "10:00:00",
        "submission_token": "token-1",
    }

    first = admin_client.post("/admin/claims/claim/add/", data)
    second = admin_client.post("/admin/claims/claim/add/", data)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "already saved" in " ".join(second.context["adminform"].form.non_field_errors())
    assert Claim.objects.filter(text="Curfew declared in Basra").count() == 1
