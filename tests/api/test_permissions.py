"""API access beyond the role matrix (tests/test_role_matrix.py, the one table of who may do what):
sessions must send the CSRF token on writes."""

import pytest

from claims.models import Claim
from tests.api.conftest import APIClient, session_client

pytestmark = pytest.mark.django_db


def csrf_headers(client: APIClient) -> dict:
    """What a browser sends: the CSRF cookie's token in X-CSRFToken."""
    client.get("/accounts/login/")
    token = client.cookies.get("csrftoken")
    return {"HTTP_X_CSRFTOKEN": token.value} if token else {}


RULING = {"to_status": "false", "rationale": "The ministry's statement and site visits show no withdrawal."}


def test_session_write_without_csrf_token_is_refused(demo_claim):
    client = session_client("editor")
    response = client.post_json(f"/api/v1/claims/{demo_claim.pk}/status/", RULING)
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    assert Claim.objects.get(pk=demo_claim.pk).status == "disputed"


def test_session_write_with_the_csrf_token_of_the_browser_is_accepted(demo_claim):
    client = session_client("editor")
    response = client.post(
        f"/api/v1/claims/{demo_claim.pk}/status/", RULING, content_type="application/json", **csrf_headers(client)
    )
    assert response.status_code == 201, response.content
    assert Claim.objects.get(pk=demo_claim.pk).status == "false"
