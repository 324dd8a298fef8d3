"""Malformed request input (NUL characters, invalid percent-encoding and UTF-8, overlong values,
undecodable form charsets, garbage cursors) is refused with a 4xx, never a 500: walked over every
GET route of the role matrix."""

import base64

import pytest
from django.conf import settings
from django.test import Client

from tests import factories
from tests.test_role_matrix import MATRIX, url_for, world  # noqa: F401  (world: a fixture)

pytestmark = pytest.mark.django_db

GET_ROUTES = sorted({(route, key) for route, method, key, _outcomes in MATRIX if method == "get"})
# Every query parameter a view or an API filter reads, and a name none reads.
QUERY_PARAMETERS = [
    "page", "text", "document_url", "next", "q", "status", "tag", "source", "updated_since", "language",
    "cursor", "page_size", "include_retracted", "claim", "stance", "seen_since", "since", "kind", "country",
    "x",
]  # fmt: skip
MALFORMED_VALUES = {
    "nul": "%00",
    "nul inside": "a%00b",
    "bad percent-encoding": "%zz%",
    "invalid utf-8": "%ff%fe",
    "lone surrogate": "%ed%a0%80",
    "overlong": "9" * 5000,
}
HEADERS = ["HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_X_FORWARDED_FOR",
           "HTTP_COOKIE", "HTTP_ACCEPT_LANGUAGE", "HTTP_REFERER", "HTTP_ACCEPT", "HTTP_HOST", "HTTP_USER_AGENT"]  # fmt: skip


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def read_client():
    return Client(HTTP_AUTHORIZATION=f"Api-Key {factories.make_api_key('read')[1]}")


@pytest.fixture
def write_client():
    return Client(HTTP_AUTHORIZATION=f"Api-Key {factories.make_api_key('write')[1]}")


def assert_refused_cleanly(response, url):
    assert response.status_code < 500, (url, response.status_code)
    if url.startswith("/api/") and response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize("value", MALFORMED_VALUES.values(), ids=MALFORMED_VALUES.keys())
def test_malformed_query_parameters_never_give_a_server_error(world, editor_client, value):  # noqa: F811
    for route, key in GET_ROUTES:
        url = url_for(route, key, world)
        # Every parameter at once (each view validates all it reads), then each alone.
        addresses = [url + "?" + "&".join(f"{name}={value}" for name in QUERY_PARAMETERS)]
        addresses += [f"{url}?{name}={value}" for name in QUERY_PARAMETERS] if "%00" in value else []
        for address in addresses:
            assert_refused_cleanly(editor_client.get(address), address)


@pytest.mark.parametrize("header", [h for h in HEADERS if h != "HTTP_COOKIE"])
def test_a_nul_in_a_request_header_is_refused_with_a_400_before_any_view(world, editor, header):  # noqa: F811
    client = Client(**{header: "Api-Key ab\x00cd" if header == "HTTP_AUTHORIZATION" else "en\x00"})
    client.force_login(editor)
    for route, key in GET_ROUTES:
        url = url_for(route, key, world)
        response = client.get(url)
        assert response.status_code == 400, (url, response.status_code)
        assert_refused_cleanly(response, url)


def test_a_nul_in_a_cookie_beside_the_session_never_gives_a_server_error(world, editor):  # noqa: F811
    # Cookies are not refused (a malformed one is simply no cookie); the session cookie is sent
    # with the bad one, so the routes are walked signed in.
    signed_in = Client()
    signed_in.force_login(editor)
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    client = Client(HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={session}; x=en\x00")
    assert client.get("/claims/").status_code == 200  # still signed in
    for route, key in GET_ROUTES:
        url = url_for(route, key, world)
        assert_refused_cleanly(client.get(url), url)


def test_a_nul_in_a_query_parameter_is_a_400_naming_it(editor_client, read_client):
    page = editor_client.get("/claims/similar/?text=dam%00burst")
    assert page.status_code == 400
    api = read_client.get("/api/v1/claims/?q=dam%00burst")
    assert api.status_code == 400
    assert "'q'" in api.json()["error"]["message"]


@pytest.mark.parametrize("charset", ["x-invalid", "rot13", "base64", "hex", "zlib"])
def test_a_form_with_a_charset_that_is_not_a_text_encoding_is_a_400_and_nothing_is_stored(as_journalist, charset):
    from claims.models import Claim

    response = as_journalist.generic(
        "POST",
        "/claims/new/",
        b"text=A+bridge+in+Mosul+collapsed",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    assert not Claim.objects.exists()


def test_a_form_in_utf_16_that_does_not_decode_is_not_a_server_error(as_journalist):
    response = as_journalist.generic(
        "POST",
        "/claims/new/",
        b"text=\xff\xfe\x00\xd8abc",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    assert response.status_code < 500


@pytest.mark.parametrize(
    "body", [b'\xff\xfe{"text": 1}', '{"text": "caf\u00e9"}'.encode("latin-1"), b'{"text": "\\ud800"}']
)
def test_an_api_body_that_is_not_utf_8_is_a_400_json_error(write_client, body):
    from claims.models import Claim

    response = write_client.generic("POST", "/api/v1/claims/", body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert not Claim.objects.exists()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


GARBAGE_CURSORS = {
    "not base64": "bogus!!",
    "base64 of garbage": base64.b64encode(b"\xff\x00\xfe").decode(),
    "a word as position": _b64("p=abc"),
    "a huge position": _b64("p=" + "9" * 40),
    "a position past 64 bits": _b64(f"p={2**63}"),
    "a negative position": _b64("p=-5"),
    "a fractional position": _b64("p=1.5"),
    "a negative offset": _b64("o=-1&p=1"),
    "a non-integer reverse flag": _b64("r=yes&p=1"),
    "a nul position": _b64("p=\x00"),
}


@pytest.mark.parametrize("cursor", GARBAGE_CURSORS.values(), ids=GARBAGE_CURSORS.keys())
@pytest.mark.parametrize(
    "path", ["/api/v1/claims/", "/api/v1/status-changes/", "/api/v1/documents/", "/api/v1/sources/"]
)
def test_a_malformed_cursor_is_a_400_naming_the_cursor(read_client, path, cursor):
    factories.make_claim()
    response = read_client.get(path, {"cursor": cursor})
    assert response.status_code == 400, response.status_code
    assert response.json()["error"]["fields"] == {"cursor": ["Invalid cursor"]}


def test_a_cursor_the_api_gave_out_still_pages(read_client):
    for number in range(3):
        factories.make_claim(text=f"Claim number {number} about the dam")
    first = read_client.get("/api/v1/claims/", {"page_size": 2}).json()
    second = read_client.get(first["next"])
    assert second.status_code == 200
    assert len(first["results"]) + len(second.json()["results"]) == 3


def test_an_evidence_file_name_with_a_nul_is_stored_without_it(journalist):
    # Django's upload parser already drops it from browsers' uploads; the service guards every caller.
    from claims.services import attach_evidence

    claim = factories.make_claim()
    evidence = attach_evidence(
        content=factories.PNG_BYTES,
        content_type="image/png",
        uploaded_by=journalist,
        claim=claim,
        original_name="dam\x00photo.png",
    )

    evidence.refresh_from_db()
    assert evidence.original_name == "damphoto.png"
