"""The OpenAPI document says what the server does, and the check every test's API responses go
through (tests/openapi.py) catches a response that does not match it."""

import copy
import json

import pytest
from openapi_core import OpenAPI

from tests import factories, openapi
from tests.openapi import SchemaMismatch, api_document, check_api_response

JSON = {"Content-Type": "application/json"}


def claim_detail_body(claim_id: int, verdict) -> bytes:
    return json.dumps(
        {
            "id": claim_id,
            "url": f"http://testserver/api/v1/claims/{claim_id}/",
            "page_url": f"http://testserver/claims/{claim_id}/",
            "slug": "a-claim",
            "text": "A claim.",
            "summary": "",
            "status": "unverified",
            "status_changed_at": "2026-01-01T00:00:00Z",
            "first_seen_at": "2026-01-01T00:00:00Z",
            "last_activity_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "language": "en",
            "tags": [],
            "wordings": [],
            "places": [],
            "stance_counts": {"asserts": 0, "denies": 0, "reports": 0},
            "verdict": verdict,
            "is_archived": False,
            "appearances": [],
            "status_history": [],
            "clock": {
                "first_appearance_at": None,
                "first_denial_at": None,
                "first_official_at": None,
                "first_status_change_at": None,
                "first_verdict_at": None,
                "time_to_first_denial_seconds": None,
                "time_to_verdict_seconds": None,
            },
        }
    ).encode()


def check_claim_detail(body: bytes, status: int = 200, headers=None) -> None:
    headers = {**JSON, "ETag": '"abc"'} if headers is None else headers
    check_api_response(method="GET", path="/api/v1/claims/1/", status=status, headers=headers, body=body)


def test_a_claim_without_verdict_matches_the_document():
    check_claim_detail(claim_detail_body(1, None))


def test_a_body_missing_a_required_field_is_caught():
    body = json.loads(claim_detail_body(1, None))
    del body["slug"]
    with pytest.raises(SchemaMismatch):
        check_claim_detail(json.dumps(body).encode())


def test_a_verdict_without_its_id_is_caught():
    verdict = {
        "rating_value": 1,
        "rating_name": "False",
        "best_rating": 5,
        "worst_rating": 1,
        "summary": "",
        "published_at": "2026-01-01T00:00:00Z",
    }
    with pytest.raises(SchemaMismatch):
        check_claim_detail(claim_detail_body(1, verdict))
    check_claim_detail(claim_detail_body(1, {"id": 7, **verdict}))


def test_an_undocumented_status_code_is_caught():
    with pytest.raises(SchemaMismatch):
        check_claim_detail(claim_detail_body(1, None), status=202)


def test_a_conditional_answer_without_its_etag_is_caught():
    check_claim_detail(b"", status=304, headers={"ETag": '"abc"'})
    with pytest.raises(SchemaMismatch):
        check_claim_detail(claim_detail_body(1, None), headers=JSON)


def test_an_address_outside_the_document_must_answer_a_json_error():
    error = {"error": {"code": "not_found", "message": "There is nothing at this address.", "fields": {}}}
    check_api_response(method="GET", path="/api/v1/nowhere/", status=404, headers=JSON, body=json.dumps(error).encode())
    with pytest.raises(SchemaMismatch):
        check_api_response(method="GET", path="/api/v1/nowhere/", status=200, headers=JSON, body=b"{}")


def test_the_test_client_checks_every_api_response(read_client, monkeypatch):
    # The autouse fixture is in force: against a document that no longer lists the 200 of a claim,
    # a plain GET of a claim fails.
    claim = factories.make_claim()
    document = copy.deepcopy(api_document())
    del document["paths"]["/api/v1/claims/{id}/"]["get"]["responses"]["200"]
    monkeypatch.setattr(openapi, "_openapi", lambda: OpenAPI.from_dict(document))
    with pytest.raises(SchemaMismatch):
        read_client.get(f"/api/v1/claims/{claim.pk}/")


def test_conditional_operations_document_304_and_their_etag():
    conditional = {
        (path, method)
        for path, item in api_document()["paths"].items()
        for method, operation in item.items()
        if "304" in operation["responses"]
    }
    assert conditional == {
        ("/api/v1/claims/{id}/", "get"),
        ("/api/v1/claims/{id}/timeline/", "get"),
        ("/api/v1/claims/{id}/claimreview/", "get"),
        ("/api/v1/sources/{id}/", "get"),
        ("/api/v1/documents/{id}/", "get"),
        ("/api/v1/webhooks/{id}/", "get"),
    }


def test_id_filters_are_integers():
    paths = api_document()["paths"]
    for path, name in [
        ("/api/v1/claims/", "source"),
        ("/api/v1/appearances/", "claim"),
        ("/api/v1/appearances/", "source"),
        ("/api/v1/documents/", "source"),
        ("/api/v1/status-changes/", "claim"),
    ]:
        (parameter,) = [p for p in paths[path]["get"]["parameters"] if p["name"] == name]
        assert parameter["schema"]["type"] == "integer", (path, name)


@pytest.mark.django_db
def test_a_real_conditional_get_answers_304_that_the_document_allows(read_client):
    claim = factories.make_claim()
    first = read_client.get(f"/api/v1/claims/{claim.pk}/")
    again = read_client.get(f"/api/v1/claims/{claim.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


@pytest.mark.django_db
def test_options_is_not_allowed_the_openapi_document_describes_the_api(read_client):
    response = read_client.options("/api/v1/claims/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "OPTIONS" not in response["Allow"]


@pytest.mark.django_db
def test_a_failed_precondition_is_a_documented_json_error(read_client):
    claim = factories.make_claim()
    response = read_client.get(f"/api/v1/claims/{claim.pk}/", HTTP_IF_MATCH='"not-the-current-one"')
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"
