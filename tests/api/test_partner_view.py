"""What partners see and how the API behaves at its edges: published data only, errors, ETags,
throttling, pagination, filters, writes."""

import pytest
from django.utils import timezone

from claims import services
from claims.models import Appearance, Claim
from partners.models import PartnerAPIKey
from tests import factories
from tests.api.conftest import key_client, session_client

pytestmark = pytest.mark.django_db


def test_partners_never_see_pending_or_rejected_suggestions(read_client, claim):
    accepted = factories.make_appearance(claim=claim, quote="accepted")
    factories.make_appearance(claim=claim, quote="pending", origin=Appearance.Origin.SUGGESTED)
    factories.make_appearance(
        claim=claim, quote="rejected", origin=Appearance.Origin.SUGGESTED, review_state=Appearance.ReviewState.REJECTED
    )
    detail = read_client.get(f"/api/v1/claims/{claim.pk}/").json()
    assert [a["quote"] for a in detail["appearances"]] == ["accepted"]
    listed = read_client.get("/api/v1/appearances/").json()["results"]
    assert [a["id"] for a in listed] == [accepted.pk]
    timeline = read_client.get(f"/api/v1/claims/{claim.pk}/timeline/").json()
    assert [e["appearance"]["quote"] for e in timeline if e["kind"] == "appearance"] == ["accepted"]


def test_retracted_appearances_only_when_asked_and_marked(read_client, claim, journalist):
    kept = factories.make_appearance(claim=claim, quote="kept")
    gone = factories.make_appearance(claim=claim, quote="gone")
    services.retract_appearance(appearance=gone, retracted_by=journalist, reason="Wrong source")
    default = read_client.get(f"/api/v1/claims/{claim.pk}/").json()["appearances"]
    assert [a["id"] for a in default] == [kept.pk]
    everything = read_client.get(f"/api/v1/claims/{claim.pk}/?include_retracted=true").json()["appearances"]
    assert {a["id"]: a["retracted"] for a in everything} == {kept.pk: False, gone.pk: True}
    assert everything[1]["retraction_reason"] == "Wrong source"
    listed = read_client.get("/api/v1/appearances/?include_retracted=true").json()["results"]
    assert gone.pk in {a["id"] for a in listed}
    assert read_client.get("/api/v1/appearances/?include_retracted=maybe").status_code == 400


def test_no_user_names_or_emails_anywhere(demo_claim, read_client):
    urls = [
        "/api/v1/claims/",
        f"/api/v1/claims/{demo_claim.pk}/",
        f"/api/v1/claims/{demo_claim.pk}/timeline/",
        "/api/v1/appearances/",
        "/api/v1/status-changes/",
        "/api/v1/claimreviews/",
    ]
    for url in urls:
        body = read_client.get(url).content.decode()
        for secret in ("journalist", "editor", "@", "password"):
            assert secret not in body.lower().replace("@context", "").replace("@type", ""), (url, secret)


def test_detail_etag_answers_304_until_the_claim_changes(read_client, claim, editor):
    first = read_client.get(f"/api/v1/claims/{claim.pk}/")
    etag = first["ETag"]
    assert etag
    again = read_client.get(f"/api/v1/claims/{claim.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    services.change_status(claim=claim, to_status="under_review", rationale="Checking", changed_by=editor)
    changed = read_client.get(f"/api/v1/claims/{claim.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_throttled_key_gets_429_with_retry_after_and_other_keys_are_unaffected(settings, claim):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "read": "3/min"}
    busy = key_client(factories.make_api_key("read")[1])
    calm = key_client(factories.make_api_key("read")[1])
    statuses = [busy.get("/api/v1/claims/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = busy.get("/api/v1/claims/")
    assert throttled.json()["error"]["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert calm.get("/api/v1/claims/").status_code == 200


def test_revoked_key_is_refused_and_use_is_recorded(claim):
    api_key, plain = factories.make_api_key("read")
    client = key_client(plain)
    assert client.get("/api/v1/claims/").status_code == 200
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None
    from partners import services as partner_services

    partner_services.revoke_api_key(api_key=api_key)
    response = client.get("/api/v1/claims/")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Unknown or revoked API key."


def test_keys_are_stored_hashed(db):
    api_key, plain = factories.make_api_key("write")
    stored = PartnerAPIKey.objects.get(pk=api_key.pk)
    assert plain not in (stored.hashed_key, stored.id)
    assert plain.split(".")[1] not in stored.hashed_key
    assert key_client(plain[:-1] + ("x" if plain[-1] != "x" else "y")).get("/api/v1/claims/").status_code == 401


def test_unknown_address_and_bad_cursor_under_api_are_json(read_client):
    missing = read_client.get("/api/v1/no-such-thing/")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    bad_cursor = read_client.get("/api/v1/claims/?cursor=bogus")
    assert bad_cursor.status_code == 400
    assert bad_cursor["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["/api/test-crash/plain/", "/api/test-crash/drf/"])
def test_a_crash_under_api_is_a_json_500_without_details(settings, path):
    settings.ROOT_URLCONF = "tests.api.crash_urls"
    client = key_client(factories.make_api_key("read")[1])
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "server_error"
    assert b"secret internal detail" not in response.content
    assert b"Traceback" not in response.content


def test_invalid_input_names_the_field(write_client):
    response = write_client.post_json("/api/v1/appearances/", {"claim": 999999, "source": 999999, "stance": "shouts"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"stance"}
    response = write_client.post_json("/api/v1/appearances/", {"claim": 999999, "source": 999999, "stance": "asserts"})
    assert set(response.json()["error"]["fields"]) == {"claim", "source"}
    assert write_client.post("/api/v1/claims/", "not json", content_type="application/json").status_code == 400
    assert Claim.objects.count() == 0


def test_write_key_submits_a_claim_and_an_appearance_recorded_as_the_partner(db):
    api_key, plain = factories.make_api_key("write")
    client = key_client(plain)
    source = factories.SourceFactory(name="Rudaw")
    created = client.post_json("/api/v1/claims/", {"text": "Water rationing begins in Basra", "tags": ["Basra"]})
    assert created.status_code == 201
    claim = Claim.objects.get(pk=created.json()["id"])
    assert claim.submitted_by_partner == api_key.partner
    assert claim.created_by is None
    assert created.json()["tags"] == ["basra"]
    appearance = client.post_json(
        "/api/v1/appearances/",
        {
            "claim": claim.pk,
            "source": source.pk,
            "stance": "asserts",
            "quote": "Rationing starts Monday.",
            "document_url": "https://www.rudaw.example/basra-water?utm_source=x",
        },
    )
    assert appearance.status_code == 201
    stored = Appearance.objects.get(pk=appearance.json()["id"])
    assert (stored.origin, stored.review_state, stored.submitted_by_partner) == (
        "partner",
        "pending",
        api_key.partner,
    )
    # The address is the partner's word until a journalist accepts it: no document yet.
    assert stored.document is None
    assert stored.submitted_document_url == "https://www.rudaw.example/basra-water?utm_source=x"
    # Pending until a journalist accepts it: not yet published.
    assert client.get(f"/api/v1/claims/{claim.pk}/").json()["appearances"] == []


def test_a_submitted_appearance_citing_another_sources_document_is_refused_and_nothing_is_stored(db):
    # The API records appearances through the same service as the page: a known address belongs to
    # the source that published it.
    _api_key, plain = factories.make_api_key("write")
    client = key_client(plain)
    claim = factories.make_claim()
    publisher, other = factories.SourceFactory(name="Rudaw"), factories.SourceFactory(name="Shafaq")
    document = factories.ingest_article(title="Basra", text="Rationing starts.", source=publisher).document
    before = Appearance.objects.count()
    response = client.post_json(
        "/api/v1/appearances/",
        {"claim": claim.pk, "source": other.pk, "stance": "asserts", "document_url": document.url},
    )
    assert response.status_code == 400
    assert "Rudaw" in response.json()["error"]["fields"]["source"][0]
    assert Appearance.objects.count() == before


def test_editor_changes_status_and_publishes_verdict_through_the_api(demo_claim):
    client = session_client("editor")
    client.get("/accounts/login/")
    csrf = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    stale = client.post_json(
        f"/api/v1/claims/{demo_claim.pk}/status/",
        {"to_status": "false", "rationale": "Site visit", "expected_status": "unverified"},
        **csrf,
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    changed = client.post_json(
        f"/api/v1/claims/{demo_claim.pk}/status/",
        {"to_status": "false", "rationale": "Site visit found the posts manned.", "expected_status": "disputed"},
        **csrf,
    )
    assert changed.status_code == 201
    assert (changed.json()["from_status"], changed.json()["to_status"]) == ("disputed", "false")
    verdict = client.post_json(f"/api/v1/claims/{demo_claim.pk}/verdicts/", {"rating": "False"}, **csrf)
    assert verdict.status_code == 201
    claim = Claim.objects.get(pk=demo_claim.pk)
    assert claim.status == "false"
    assert client.get(f"/api/v1/claims/{claim.pk}/").json()["verdict"]["rating_name"] == "False"


def test_list_filters_and_cursor_pages(read_client, editor):
    old = factories.make_claim(text="Old claim about Erbil", language="en", tags=["erbil"])
    services.change_status(claim=old, to_status="false", rationale="Debunked", changed_by=editor)
    since = timezone.now()
    newer = [factories.make_claim(text=f"Claim number {n} about Mosul", language="ar") for n in range(3)]

    def ids(query):
        response = read_client.get(f"/api/v1/claims/{query}")
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["results"]]

    assert ids("?status=false") == [old.pk]
    assert ids("?tag=erbil") == [old.pk]
    assert ids("?language=ar") == [c.pk for c in reversed(newer)]
    assert ids("?q=Erbil") == [old.pk]
    assert ids(f"?updated_since={since.isoformat().replace('+00:00', 'Z')}") == [c.pk for c in reversed(newer)]
    source = factories.SourceFactory()
    factories.make_appearance(claim=newer[0], source=source)
    assert ids(f"?source={source.pk}") == [newer[0].pk]

    first = read_client.get("/api/v1/claims/?page_size=2").json()
    second = read_client.get(first["next"]).json()
    assert [c["id"] for c in first["results"] + second["results"]] == [c.pk for c in reversed(newer)] + [old.pk]
    assert second["next"] is None
    assert len(read_client.get("/api/v1/claims/?page_size=100000").json()["results"]) == 4


def test_status_change_feed_is_oldest_first_since_a_time(read_client, editor):
    claim = factories.make_claim()
    cut = timezone.now()
    services.change_status(claim=claim, to_status="under_review", rationale="Looking", changed_by=editor)
    services.change_status(claim=claim, to_status="confirmed", rationale="Seen", changed_by=editor)
    feed = read_client.get(f"/api/v1/status-changes/?since={cut.isoformat().replace('+00:00', 'Z')}").json()
    assert [c["to_status"] for c in feed["results"]] == ["under_review", "confirmed"]


@pytest.mark.parametrize(
    "query",
    [
        "status-changes/?since=2030-06-24T20:56:19%2B20:49",  # an offset PostgreSQL refuses
        "claims/?updated_since=9999-12-31T23:00:00-05:00",  # past year 9999 in UTC
        "claims/?source=-5.8e301",
        "appearances/?claim=99999999999999999999",
    ],
)
def test_odd_query_values_are_400s_or_answered_never_500s(read_client, query):
    response = read_client.get(f"/api/v1/{query}")
    assert response.status_code in (200, 400), response.content
    assert response["Content-Type"] == "application/json"


def test_huge_ids_in_paths_are_404s(read_client):
    assert read_client.get("/api/v1/claims/99999999999999999999999/").status_code == 404


def test_openapi_schema_and_docs_are_public_and_describe_the_key(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Send `Authorization: Api-Key <key>`. Keys are scoped "read" or "write".',
    }
    paths = set(schema["paths"])
    for path in [
        "/api/v1/claims/",
        "/api/v1/claims/{id}/",
        "/api/v1/claims/{id}/timeline/",
        "/api/v1/claims/{id}/claimreview/",
        "/api/v1/claims/{id}/status/",
        "/api/v1/claims/{id}/verdicts/",
        "/api/v1/claimreviews/",
        "/api/v1/appearances/",
        "/api/v1/status-changes/",
        "/api/v1/sources/",
        "/api/v1/sources/{id}/",
        "/api/v1/documents/",
        "/api/v1/documents/{id}/",
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
        "/api/v1/webhooks/{id}/deliveries/",
    ]:
        assert path in paths
    create = schema["paths"]["/api/v1/claims/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["examples"]
    assert "X-Claimtrack-Signature" in schema["info"]["description"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Served from this installation, under the site's strict policy: no CDN, no inline script.
    page = docs.content.decode()
    assert "cdn.jsdelivr.net" not in page and "cdn.jsdelivr.net" not in docs["Content-Security-Policy"]
    assert "<script>" not in page
    assert client.get("/api/docs/?script=").status_code == 200
    bundle = next(part.split('"')[1] for part in page.split("src=")[1:] if "swagger-ui-bundle" in part)
    assert client.get(bundle).status_code == 200


def test_partner_writes_are_audited_as_the_partner_key(db):
    api_key, plain = factories.make_api_key("write")
    response = key_client(plain).post_json("/api/v1/claims/", {"text": "Audited claim"})
    record = Claim.objects.get(pk=response.json()["id"]).history.earliest()
    assert record.history_user is None
    assert record.history_channel == "api"
    assert api_key.prefix in record.history_actor


@pytest.mark.parametrize("cookie", ["abc\x00defghijk", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", "é" * 40])
def test_a_malformed_session_cookie_is_no_session_not_a_crash(client, cookie):
    client.cookies["sessionid"] = cookie
    api = client.get("/api/v1/claims/")
    assert api.status_code == 401
    assert client.get("/claims/").status_code == 302  # to the login page


def test_a_partner_submission_waits_in_the_review_queue_until_a_journalist_accepts_it(client, journalist):
    api_key, plain = factories.make_api_key("write")
    partner_client = key_client(plain)
    claim = factories.make_claim()
    source = factories.SourceFactory(name="Shafaq News")
    submitted = partner_client.post_json(
        "/api/v1/appearances/", {"claim": claim.pk, "source": source.pk, "stance": "denies", "quote": "Untrue."}
    ).json()
    client.force_login(journalist)
    assert "Untrue." in client.get("/review/").content.decode()
    assert client.post(f"/review/{submitted['id']}/accept/").status_code == 302
    published = partner_client.get(f"/api/v1/claims/{claim.pk}/").json()["appearances"]
    assert [(a["id"], a["origin"], a["review_state"]) for a in published] == [(submitted["id"], "partner", "accepted")]


def test_claim_detail_and_list_show_the_same_tags_and_current_verdict(demo_claim, read_client):
    detail = read_client.get(f"/api/v1/claims/{demo_claim.pk}/").json()
    [listed] = [c for c in read_client.get("/api/v1/claims/").json()["results"] if c["id"] == demo_claim.pk]
    assert detail["verdict"] == listed["verdict"]
    assert detail["verdict"]["rating_name"] == "Unproven"
    assert detail["verdict"]["published_at"].startswith("2018-06-09T18:00:00")
    assert detail["tags"] == listed["tags"] == ["iraq", "kirkuk", "security"]
