"""The floor of bench/api.py (bench/floor_urls.py) serves byte for byte the page it stands for.

A benchmark ratio API / floor only means something if the floor does the API's whole job: the
same body (places and other text in UTF-8 as the API writes them, documents, retractions, verdicts
and cursor links from the data) and the same ETag. Here both are requested through the same
client on a small database with all of that in it. The floor's SQL is PostgreSQL's (json_build_object,
to_char), as the benchmark's database is, so on other databases this is skipped.
"""

from base64 import b64encode
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection

from claims import services
from claims.models import Claim, Stance
from tests import factories
from tests.api.conftest import key_client

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the floor's SQL is PostgreSQL's"),
]


@pytest.fixture(autouse=True)
def api_responses_match_the_openapi_document(monkeypatch):
    """As the project's (conftest.py), but the floor's paths are not the API's: only the API's
    responses are checked against the OpenAPI document."""
    from django.test import Client

    from tests.openapi import check_django_response

    send = Client.request

    def request_and_check(self, **request):
        response = send(self, **request)
        if not response.wsgi_request.path.startswith("/api/v1/bench-floor/"):
            check_django_response(response)
        return response

    monkeypatch.setattr(Client, "request", request_and_check)


@pytest.fixture
def floor_urls(settings):
    settings.ROOT_URLCONF = "bench.floor_urls"


@pytest.fixture
def client(floor_urls):
    return key_client(factories.make_api_key("read")[1])


@pytest.fixture
def ruled_claim(db):
    """A claim with all the detail shows: non-ASCII places, tags and text, a status change, two
    verdicts (the newer is current), an appearance with a document, one without, a retracted one
    and a rejected suggestion (not published)."""
    journalist, editor = factories.JournalistFactory(), factories.EditorFactory()
    claim = factories.make_claim(
        text="قالت الشرطة الاتحادية إنها انسحبت من كركوك \u2028 — «بيان»",
        summary='Quotes " and \\ backslashes, emoji 🙂, line\nbreaks',
        places=["كركوك", "الموصل", "Zürich", "Kirkuk"],
        tags=["water", "Dam", "سد", "Éire"],
        language="ar",
        first_seen_at=datetime(2024, 1, 1, 12, 0, tzinfo=UTC),  # no microseconds: iso() omits them
        created_by=journalist,
    )
    source = factories.SourceFactory(name="وكالة الأنباء العراقية")
    document = factories.DocumentFactory(
        source=source,
        title="الشرطة تنسحب — تقرير",
        published_at=datetime(2024, 1, 2, 8, 30, 0, 120000, tzinfo=UTC),
    )
    factories.make_appearance(
        claim=claim, source=source, document=document, quote="«انسحبنا»", recorded_by=journalist,
        seen_at=datetime(2024, 1, 2, 9, 0, 0, 5, tzinfo=UTC),
    )  # fmt: skip
    factories.make_appearance(claim=claim, stance=Stance.DENIES, quote="No withdrawal.", recorded_by=journalist)
    retracted = factories.make_appearance(claim=claim, stance=Stance.REPORTS, recorded_by=journalist)
    services.retract_appearance(appearance=retracted, retracted_by=journalist, reason="Wrong claim — خطأ.")
    factories.make_suggestion(claim=claim)
    services.change_status(claim=claim, to_status="false", rationale="لا دليل.", changed_by=editor)
    services.publish_verdict(
        claim=claim, rating_name="False", author=editor, summary="Old.",
        published_at=datetime(2024, 1, 3, tzinfo=UTC),
    )  # fmt: skip
    services.publish_verdict(claim=claim, rating_name="False", author=editor, summary="No evidence — لا دليل.")
    return claim


def same_page(client, api_path: str, floor_path: str):
    api, floor = client.get(api_path), client.get(floor_path)
    assert api.status_code == floor.status_code == 200
    assert api["Content-Type"] == floor["Content-Type"]
    assert floor.content == api.content
    assert floor.get("ETag") == api.get("ETag")
    return api, floor


def test_detail_is_the_apis_byte_for_byte(client, ruled_claim):
    path = f"/api/v1/claims/{ruled_claim.pk}/"
    api, _floor = same_page(client, path, f"/api/v1/bench-floor/claims/{ruled_claim.pk}/")
    data = api.json()
    assert "كركوك".encode() in api.content  # written as UTF-8, not \u escapes
    assert len(data["appearances"]) == 2 and data["appearances"][0]["document"] is not None
    assert data["verdict"]["summary"] == "No evidence — لا دليل."
    assert api["ETag"]


def test_detail_with_retractions_is_the_apis_byte_for_byte(client, ruled_claim):
    query = "?include_retracted=true"
    api, _floor = same_page(
        client, f"/api/v1/claims/{ruled_claim.pk}/{query}", f"/api/v1/bench-floor/claims/{ruled_claim.pk}/{query}"
    )
    retracted = [appearance for appearance in api.json()["appearances"] if appearance["retracted"]]
    assert len(retracted) == 1 and retracted[0]["retraction_reason"] == "Wrong claim — خطأ."


def test_detail_answers_304_to_its_etag_as_the_api_does(client, ruled_claim):
    etag = client.get(f"/api/v1/claims/{ruled_claim.pk}/")["ETag"]
    response = client.get(f"/api/v1/bench-floor/claims/{ruled_claim.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_detail_of_a_bare_claim_is_the_apis_byte_for_byte(client):
    claim = factories.make_claim(text="A claim with nothing else")
    same_page(client, f"/api/v1/claims/{claim.pk}/", f"/api/v1/bench-floor/claims/{claim.pk}/")


def test_list_and_its_next_page_are_the_apis_byte_for_byte(client, ruled_claim):
    journalist = factories.JournalistFactory()
    start = datetime(2024, 2, 1, tzinfo=UTC)
    for n in range(55):  # more than a page (50)
        factories.make_claim(
            text=f"Claim {n} — ادعاء", places=["بغداد"] if n % 2 else [], tags=[f"tag{n % 3}"],
            first_seen_at=start + timedelta(minutes=n, microseconds=n), created_by=journalist,
        )  # fmt: skip
    api, _floor = same_page(client, "/api/v1/claims/", "/api/v1/bench-floor/claims/")
    page_1 = api.json()
    assert len(page_1["results"]) == 50 and page_1["next"] and page_1["previous"] is None
    cursor = page_1["next"].split("?", 1)[1]
    api, _floor = same_page(client, f"/api/v1/claims/?{cursor}", f"/api/v1/bench-floor/claims/?{cursor}")
    page_2 = api.json()
    assert len(page_2["results"]) == 6 and page_2["next"] is None and page_2["previous"]
    assert page_2["results"][-1]["verdict"]["summary"] == "No evidence — لا دليل."
    # Past the last claim: an empty page that links back.
    cursor = urlencode({"cursor": b64encode(f"p={Claim.objects.order_by('id').first().pk}".encode()).decode()})
    api, _floor = same_page(client, f"/api/v1/claims/?{cursor}", f"/api/v1/bench-floor/claims/?{cursor}")
    assert api.json()["results"] == [] and api.json()["previous"]
