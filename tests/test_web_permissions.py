"""Every newsroom view, for every kind of visitor: anonymous visitors are sent to log in, a
signed-in user without the right permission gets 403, and a permitted user gets the page or
reaches the action (200, a redirect, or a 400 for the empty form posted here)."""

import pytest
from django.urls import reverse

from claims import services
from claims.models import ClaimStatus
from tests import factories

pytestmark = pytest.mark.django_db

BOTH = {"journalist", "editor"}
EDITOR = {"editor"}


@pytest.fixture
def world(journalist, editor):
    claim = factories.make_claim(created_by=journalist)
    appearance = factories.make_appearance(claim=claim, recorded_by=journalist)
    evidence = factories.make_evidence(claim=claim, uploaded_by=journalist)
    proposal = services.propose_status_change(
        claim=claim, to_status=ClaimStatus.UNDER_REVIEW, rationale="Two outlets now carry it.", proposed_by=journalist
    )
    suggestion = factories.make_suggestion(claim=claim)
    return {
        "claim": claim.pk,
        "appearance": appearance.pk,
        "evidence": evidence.pk,
        "proposal": proposal.pk,
        "suggestion": suggestion.pk,
        "source": appearance.source_id,
    }


# (method, url name, key of the object in `world` or None, roles allowed)
VIEWS = [
    ("get", "claims:list", None, BOTH),
    ("get", "claims:create", None, BOTH),
    ("post", "claims:create", None, BOTH),
    ("get", "claims:similar", None, BOTH),
    ("get", "claims:detail", "claim", BOTH),
    ("get", "claims:appearance-create", "claim", BOTH),
    ("post", "claims:appearance-create", "claim", BOTH),
    ("post", "claims:evidence-create", "claim", BOTH),
    ("get", "claims:evidence-file", "evidence", BOTH),
    ("post", "claims:status-change", "claim", EDITOR),
    ("post", "claims:verdict-publish", "claim", EDITOR),
    ("post", "claims:proposal-create", "claim", BOTH),
    ("post", "claims:proposal-approve", "proposal", EDITOR),
    ("post", "claims:proposal-reject", "proposal", EDITOR),
    ("post", "claims:appearance-retract", "appearance", BOTH),
    ("post", "claims:evidence-retract", "evidence", BOTH),
    ("get", "claims:review", None, BOTH),
    ("post", "claims:review-accept", "suggestion", BOTH),
    ("get", "claims:review-edit", "suggestion", BOTH),
    ("post", "claims:review-edit", "suggestion", BOTH),
    ("post", "claims:review-reject", "suggestion", BOTH),
    ("get", "claims:desk", None, EDITOR),
    ("get", "claims:source-detail", "source", BOTH),
    ("get", "sources:document-lookup", None, BOTH),
]


def _url(world, name, key):
    return reverse(name, args=[world[key]]) if key else reverse(name)


@pytest.mark.parametrize(("method", "name", "key", "allowed"), VIEWS, ids=[f"{m} {n}" for m, n, _k, _a in VIEWS])
@pytest.mark.parametrize("role", ["anonymous", "no role", "journalist", "editor"])
def test_view_permissions(client, world, journalist, editor, django_user_model, role, method, name, key, allowed):
    users = {
        "journalist": journalist,
        "editor": editor,
        "no role": django_user_model.objects.create_user("reader", password="x-unused-password"),
    }
    if role in users:
        client.force_login(users[role])
    response = getattr(client, method)(_url(world, name, key))
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role in allowed:
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403


def test_journalist_cannot_retract_an_appearance_someone_else_recorded(client, journalist):
    appearance = factories.make_appearance(recorded_by=factories.JournalistFactory(username="other"))
    client.force_login(journalist)
    response = client.post(reverse("claims:appearance-retract", args=[appearance.pk]), {"reason": "duplicate"})
    assert response.status_code == 403
    appearance.refresh_from_db()
    assert appearance.retracted_at is None


def test_editor_can_retract_any_appearance(client, editor):
    appearance = factories.make_appearance()
    client.force_login(editor)
    client.post(reverse("claims:appearance-retract", args=[appearance.pk]), {"reason": "Wrong claim."})
    appearance.refresh_from_db()
    assert appearance.retraction_reason == "Wrong claim."
