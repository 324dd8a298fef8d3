"""Who may do what: every actor × every endpoint × every method (GET, POST, PUT, PATCH, DELETE)."""

import pytest

from claims.models import Claim
from partners import services as partner_services
from sources.models import Document, Source
from tests import factories
from tests.api.conftest import APIClient, key_client, session_client

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "read_key", "write_key", "revoked_key", "journalist", "editor"]
METHODS = ["get", "post", "put", "patch", "delete"]

READERS = {"anonymous": 401, "read_key": 200, "write_key": 200, "revoked_key": 401, "journalist": 200, "editor": 200}
SUBMITTERS = {"anonymous": 401, "read_key": 403, "write_key": 201, "revoked_key": 401, "journalist": 201, "editor": 201}
EDITORS_ONLY = {
    "anonymous": 401,
    "read_key": 403,
    "write_key": 403,
    "revoked_key": 401,
    "journalist": 403,
    "editor": 201,
}
PARTNERS_ONLY = {
    "anonymous": 401,
    "read_key": 200,
    "write_key": 200,
    "revoked_key": 401,
    "journalist": 403,
    "editor": 403,
}
PARTNERS_CREATE = {**PARTNERS_ONLY, "read_key": 201, "write_key": 201}
PARTNERS_DELETE = {**PARTNERS_ONLY, "read_key": 204, "write_key": 204}
UNSUPPORTED = {
    "anonymous": 401,
    "read_key": 405,
    "write_key": 405,
    "revoked_key": 401,
    "journalist": 405,
    "editor": 405,
}


def body_for(path: str, ids: dict) -> dict:
    if path == "/api/v1/claims/":
        return {"text": "A bridge in Mosul collapsed this morning.", "tags": ["mosul"]}
    if path == "/api/v1/appearances/":
        return {"claim": ids["claim"], "source": ids["source"], "stance": "asserts", "quote": "It collapsed."}
    if path.endswith("/status/"):
        return {"to_status": "false", "rationale": "The ministry's statement and site visits show no withdrawal."}
    if path.endswith("/verdicts/"):
        return {"rating": "False", "summary": "No withdrawal happened."}
    if path == "/api/v1/webhooks/":
        return {"url": "https://93.184.215.14/hooks/claimtrack"}
    return {}


# path template → {method: expectations}; methods not listed are unsupported (405 once authenticated).
ENDPOINTS = {
    "/api/v1/claims/": {"get": READERS, "post": SUBMITTERS},
    "/api/v1/claims/{claim}/": {"get": READERS},
    "/api/v1/claims/{claim}/timeline/": {"get": READERS},
    "/api/v1/claims/{claim}/claimreview/": {"get": READERS},
    "/api/v1/claims/{claim}/status/": {"post": EDITORS_ONLY},
    "/api/v1/claims/{claim}/verdicts/": {"post": EDITORS_ONLY},
    "/api/v1/claimreviews/": {"get": READERS},
    "/api/v1/appearances/": {"get": READERS, "post": SUBMITTERS},
    "/api/v1/status-changes/": {"get": READERS},
    "/api/v1/sources/": {"get": READERS},
    "/api/v1/sources/{source}/": {"get": READERS},
    "/api/v1/documents/": {"get": READERS},
    "/api/v1/documents/{document}/": {"get": READERS},
    "/api/v1/webhooks/": {"get": PARTNERS_ONLY, "post": PARTNERS_CREATE},
    "/api/v1/webhooks/{webhook}/": {"get": PARTNERS_ONLY, "delete": PARTNERS_DELETE},
    "/api/v1/webhooks/{webhook}/deliveries/": {"get": PARTNERS_ONLY},
}

CASES = [
    (path, method, actor)
    for path, supported in ENDPOINTS.items()
    for method in METHODS
    for actor in ACTORS
    if method in supported or actor in ("anonymous", "read_key", "journalist")  # unsupported: a sample of actors
]


@pytest.fixture
def world(demo_claim):
    partner = factories.make_partner("Partner Newsroom")
    keys = {
        "read_key": factories.make_api_key("read", partner=partner)[1],
        "write_key": factories.make_api_key("write", partner=partner)[1],
        "revoked_key": factories.make_api_key("write", partner=partner, revoked=True)[1],
    }
    webhook = partner_services.register_webhook(partner=partner, url="https://93.184.215.14/hooks/existing")
    ids = {
        "claim": demo_claim.pk,
        "source": Source.objects.get(name="Kurdistan 24").pk,
        "document": Document.objects.filter(appearances__isnull=False).first().pk,
        "webhook": webhook.pk,
    }
    return keys, ids


def client_for(actor: str, keys: dict) -> APIClient:
    if actor == "anonymous":
        return APIClient()
    if actor in keys:
        return key_client(keys[actor])
    return session_client(actor)


def csrf_headers(client: APIClient) -> dict:
    """What a browser sends: the CSRF cookie's token in X-CSRFToken."""
    client.get("/accounts/login/")
    token = client.cookies.get("csrftoken")
    return {"HTTP_X_CSRFTOKEN": token.value} if token else {}


@pytest.mark.parametrize(("path", "method", "actor"), CASES)
def test_permission_matrix(world, path, method, actor):
    keys, ids = world
    url = path.format(**ids)
    expected = ENDPOINTS[path].get(method, UNSUPPORTED)[actor]
    client = client_for(actor, keys)
    extra = csrf_headers(client) if actor in ("journalist", "editor") and method != "get" else {}
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, body_for(path, ids), content_type="application/json", **extra)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == "application/json"
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    if expected == 401:
        assert response["WWW-Authenticate"] == "Api-Key"


def test_session_write_without_csrf_token_is_refused(demo_claim):
    client = session_client("editor")
    response = client.post_json(f"/api/v1/claims/{demo_claim.pk}/status/", body_for("/status/", {}))
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    assert Claim.objects.get(pk=demo_claim.pk).status == "disputed"
