"""Hostile input at every form and API write (issue 14): hypothesis draws extreme and malformed
dates (year 1, year 9999, the last second of 9999, odd and negative offsets, garbage, huge
integers) and sizes (very long strings, many tags and places, long and deep lists) and sends them
to every newsroom form, API write and filter. Never a 500; a refusal is a 4xx with a clear error
(a JSON body for the API) and changes nothing stored.

Bounded to run in seconds: few examples per target, derandomized, no example database."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from claims.models import Appearance, Claim, Evidence, StatusChange, StatusProposal, Tag, Verdict
from sources.models import Document, Source
from tests import factories

pytestmark = pytest.mark.django_db

BOUNDED = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# --- Strategies ----------------------------------------------------------------------------------

YEAR_ONE = "0001-01-01T01:00"  # year 1 at 01:00 in the newsroom's zone (Baghdad, +02:57:40): BC in UTC
EDGE_TIMES = [
    YEAR_ONE,
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T23:00:00+00:00",
    "9999-12-31T23:00:00-12:00",
    "1899-12-31T23:59:59Z",
    "1900-01-01T00:00:00Z",
    "1900-01-01",
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "2024-02-30T10:00",
    "2024-13-01",
    "-0001-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "2024-01-01T00:00:00-23:59",
    "2024-01-01T00:00:00+24:00",
    "2024-01-01T00:00:00+99:99",
    "99999999999999999999",
    "-1",
    "NaN",
    "",
    " ",
    "2024-01-01T00:00:00\x00",
    "now",
    "2024-01-01T00:00:00Z" * 50,
]
ZONES = st.sampled_from(
    [
        None,
        UTC,
        timezone(timedelta(hours=14)),
        timezone(-timedelta(hours=12)),
        timezone(timedelta(hours=2, minutes=57, seconds=40)),
        ZoneInfo("Asia/Baghdad"),
        ZoneInfo("Pacific/Kiritimati"),
    ]
)
any_datetime = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59), timezones=ZONES)
# Free text of any character but lone surrogates, NUL included (refused by the forms and serializers).
free_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60)
# Half the draws are the known edges, half anything else.
time_text = st.one_of(
    st.sampled_from(EDGE_TIMES),
    st.one_of(
        any_datetime.map(lambda moment: moment.isoformat()),
        any_datetime.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
        st.dates().map(lambda day: day.isoformat()),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        free_text,
    ),
)
day_text = st.one_of(st.sampled_from(EDGE_TIMES), st.one_of(st.dates().map(lambda day: day.isoformat()), free_text))
long_text = st.one_of(free_text, st.integers(min_value=0, max_value=20_000).map(lambda n: "ك" * n))
# JSON values where the API expects a time: strings, and anything else a client could send.
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    long_text,
)


def nested(depth: int):
    value = "x"
    for _ in range(depth):
        value = [value]
    return value


json_list = st.one_of(
    st.lists(free_text, max_size=300),
    st.lists(long_text, max_size=5),
    st.integers(min_value=1, max_value=200).map(nested),
    json_scalar,
    st.dictionaries(free_text, free_text, max_size=5),
)
json_time = st.one_of(time_text, json_scalar, st.lists(time_text, max_size=3))
comma_list = st.one_of(
    st.lists(free_text, max_size=300).map(",".join), st.integers(min_value=0, max_value=5000).map(lambda n: "t," * n)
)

# --- What is stored, and how a refusal must look -------------------------------------------------

STORED = [Claim, Appearance, StatusChange, Verdict, StatusProposal, Evidence, Source, Document, Tag]


def stored_rows() -> dict:
    return {model.__name__: model.objects.count() for model in STORED}


def check_page_answer(response, before: dict, *, refusal_statuses=(400,)):
    assert response.status_code < 500, response.content[:300]
    if response.status_code in refusal_statuses:
        assert stored_rows() == before


def check_api_answer(response, before: dict):
    assert response.status_code < 500, response.content[:300]
    if 400 <= response.status_code < 500:
        body = response.json()["error"]
        assert body["message"], body
        assert stored_rows() == before


@pytest.fixture
def world(db, settings, journalist, editor):
    settings.API_THROTTLE_RATES = {"read": "100000/min", "write": "100000/min", "session": "100000/min"}
    claim = factories.make_claim(text="Federal police withdrew from Kirkuk", created_by=journalist)
    source = factories.SourceFactory(name="Rudaw")
    _key, plain = factories.make_api_key("write")
    editor_client, journalist_client = Client(), Client()
    editor_client.force_login(editor)
    journalist_client.force_login(journalist)
    return {
        "claim": claim,
        "source": source,
        "editor": editor_client,
        "journalist": journalist_client,
        "partner": Client(HTTP_AUTHORIZATION=f"Api-Key {plain}"),
    }


# --- Newsroom forms ------------------------------------------------------------------------------


def test_claim_form_survives_extreme_input(world):
    @BOUNDED
    @given(text=long_text, tags=comma_list, places=comma_list, language=long_text, first_seen_at=time_text)
    @example(text="A claim", tags="", places="", language="", first_seen_at=YEAR_ONE)
    def post(text, tags, places, language, first_seen_at):
        before = stored_rows()
        data = {"text": text or "A claim", "tags": tags, "places": places, "language": language}
        response = world["journalist"].post(
            "/claims/new/", {**data, "first_seen_at": first_seen_at, "confirm_new": "True"}
        )
        check_page_answer(response, before)

    post()


def test_appearance_form_survives_extreme_input(world):
    @BOUNDED
    @given(
        new_source_name=st.just("Rudaw News") | long_text,
        quote=long_text,
        seen_at=time_text,
        document_url=st.just("") | long_text,
    )
    @example(new_source_name="Rudaw News", quote="", seen_at=YEAR_ONE, document_url="")
    def post(new_source_name, quote, seen_at, document_url):
        before = stored_rows()
        response = world["journalist"].post(
            f"/claims/{world['claim'].pk}/appearances/new/",
            {
                "new_source_name": new_source_name,
                "new_source_kind": "news_outlet",
                "stance": "asserts",
                "quote": quote,
                "seen_at": seen_at,
                "document_url": document_url,
            },
        )
        check_page_answer(response, before)

    post()


def test_status_verdict_and_proposal_forms_survive_extreme_input(world):
    claim = world["claim"]

    @BOUNDED
    @given(
        to_status=long_text | st.sampled_from(["false", "true", "unverified"]), rationale=long_text, rating=long_text
    )
    @example(to_status="false", rationale="Checked with the ministry.", rating="False")  # the success path too
    def post(to_status, rationale, rating):
        current = Claim.objects.values_list("status", flat=True).get(pk=claim.pk)
        for client, path, data in [
            (
                world["editor"],
                f"/claims/{claim.pk}/status/",
                {"to_status": to_status, "rationale": rationale, "expected_status": current},
            ),
            (world["editor"], f"/claims/{claim.pk}/verdict/", {"rating": rating, "summary": rationale}),
            (world["journalist"], f"/claims/{claim.pk}/proposals/", {"to_status": to_status, "rationale": rationale}),
        ]:
            before = stored_rows()
            check_page_answer(client.post(path, data), before)

    post()


def test_pending_appearance_edit_survives_extreme_input(world):
    @BOUNDED
    @given(stance=st.sampled_from(["asserts", "denies"]) | long_text, quote=long_text, seen_at=time_text)
    @example(stance="asserts", quote="", seen_at=YEAR_ONE)
    def post(stance, quote, seen_at):
        suggestion = factories.make_suggestion(claim=world["claim"], source=world["source"])
        before = stored_rows()
        response = world["editor"].post(
            f"/review/{suggestion.pk}/edit/", {"stance": stance, "quote": quote, "seen_at": seen_at}
        )
        check_page_answer(response, before)
        if response.status_code == 400:
            suggestion.refresh_from_db()
            assert suggestion.review_state == Appearance.ReviewState.PENDING

    post()


def test_claim_list_filters_survive_extreme_input(world):
    @BOUNDED
    @given(q=long_text, status=free_text, tag=free_text, source=time_text, seen_from=day_text, seen_until=day_text)
    @example(q="", status="", tag="", source="", seen_from="", seen_until="9999-12-31")
    @example(q="", status="", tag="", source="", seen_from="0001-01-01", seen_until="")
    def get(q, status, tag, source, seen_from, seen_until):
        query = {"q": q, "status": status, "tag": tag, "source": source, "seen_from": seen_from}
        response = world["journalist"].get("/claims/", {**query, "seen_until": seen_until, "page": source})
        assert response.status_code < 500, response.content[:300]

    get()


# --- API writes and filters ------------------------------------------------------------------------


def test_api_claim_create_survives_extreme_input(world):
    @BOUNDED
    @given(text=json_scalar, summary=json_scalar, tags=json_list, places=json_list, first_seen_at=json_time)
    @example(text="A claim", summary="", tags=[], places=[], first_seen_at="9999-12-31T23:00:00Z")
    def post(text, summary, tags, places, first_seen_at):
        before = stored_rows()
        body = {"text": text, "summary": summary, "tags": tags, "places": places, "first_seen_at": first_seen_at}
        response = world["partner"].post("/api/v1/claims/", body, content_type="application/json")
        check_api_answer(response, before)

    post()


def test_api_appearance_create_survives_extreme_input(world):
    @BOUNDED
    @given(
        claim=st.one_of(st.just(world["claim"].pk), json_scalar),
        quote=json_scalar,
        seen_at=json_time,
        document_url=json_scalar,
        document_title=json_scalar,
    )
    @example(claim=world["claim"].pk, quote="", seen_at="9999-12-31T23:00:00Z", document_url="", document_title="")
    def post(claim, quote, seen_at, document_url, document_title):
        before = stored_rows()
        body = {
            "claim": claim,
            "source": world["source"].pk,
            "stance": "asserts",
            "quote": quote,
            "seen_at": seen_at,
            "document_url": document_url,
            "document_title": document_title,
        }
        response = world["partner"].post("/api/v1/appearances/", body, content_type="application/json")
        check_api_answer(response, before)

    post()


def test_api_status_and_verdict_writes_survive_extreme_input(world):
    claim = world["claim"]

    @BOUNDED
    @given(to_status=json_scalar | st.sampled_from(["false", "true"]), rationale=json_scalar, rating=json_scalar)
    @example(to_status="false", rationale="Checked with the ministry.", rating="False")  # the success path too
    def post(to_status, rationale, rating):
        for path, body in [
            (f"/api/v1/claims/{claim.pk}/status/", {"to_status": to_status, "rationale": rationale}),
            (f"/api/v1/claims/{claim.pk}/verdicts/", {"rating": rating, "summary": rationale}),
        ]:
            before = stored_rows()
            check_api_answer(world["editor"].post(path, body, content_type="application/json"), before)

    post()


def test_api_filters_survive_extreme_input(world):
    @BOUNDED
    @given(since=time_text, claim=time_text)
    @example(since="9999-12-31T23:59:59Z", claim="1")
    def get(since, claim):
        for path, query in [
            ("/api/v1/claims/", {"updated_since": since}),
            ("/api/v1/appearances/", {"seen_since": since, "claim": claim}),
            ("/api/v1/status-changes/", {"since": since}),
            ("/api/v1/documents/", {"seen_since": since}),
        ]:
            response = world["partner"].get(path, query)
            assert response.status_code in (200, 400), response.content[:300]
            if response.status_code == 400:
                assert response.json()["error"]["fields"]

    get()
