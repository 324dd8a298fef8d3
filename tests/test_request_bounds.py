"""Request bodies are bounded before anything reads them (claimtrack.middleware.RequestBodyLimitMiddleware)
and the API's JSON parser bounds nesting (claimtrack.api.parsers): an oversized body answers 413
unread, before the login check; a chunked body without a length answers 411 unread; JSON nested too
deeply answers 400 in the API's error shape, never 500."""

import io
import json

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import encode_multipart

from claims.models import Claim, Evidence
from tests import factories

pytestmark = pytest.mark.django_db

BOUNDARY = "BoundaryOfTheTest"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
MB = 1024 * 1024
# What the WSGI server passes for a chunked body: the header, and no length (empty here because the
# test client would otherwise set the length of its own empty payload).
CHUNKED = {"HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_LENGTH": ""}


class CountingStream(io.BytesIO):
    """A request body that records how much of it the server read."""

    bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


def multipart_body(fields: dict, file_bytes: int) -> bytes:
    fields = dict(fields, file=SimpleUploadedFile("big.png", factories.PNG_BYTES + b"\0" * file_bytes))
    return encode_multipart(BOUNDARY, fields)


def send(client, path, body: bytes, content_type: str, **extra):
    stream = CountingStream(body)
    response = client.post(path, data=body, content_type=content_type, **{"wsgi.input": stream}, **extra)
    return response, stream


def key_client(scope):
    _key, plain = factories.make_api_key(scope)
    return Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")


def test_an_anonymous_20_mb_upload_to_the_login_page_is_refused_unread_and_signs_nobody_in(client, journalist):
    body = multipart_body({"username": "jo", "password": "correct-horse-battery-staple"}, 20 * MB)

    response, stream = send(client, "/accounts/login/", body, MULTIPART)

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "larger than this server accepts" in response.content.decode()
    assert response["X-Frame-Options"] == "DENY" and "default-src 'none'" in response["Content-Security-Policy"]
    assert stream.bytes_read == 0
    assert not Session.objects.exists()
    journalist.refresh_from_db()
    assert journalist.last_login is None


def test_an_anonymous_20_mb_evidence_upload_is_refused_unread_and_stores_nothing(client, claim):
    body = multipart_body({"caption": "Checkpoint"}, 20 * MB)

    response, stream = send(client, f"/claims/{claim.pk}/evidence/new/", body, MULTIPART)

    assert response.status_code == 413
    assert stream.bytes_read == 0
    assert not Evidence.objects.exists()


def test_an_evidence_upload_within_the_limit_is_still_accepted(as_journalist, claim, settings):
    settings.UPLOAD_REQUEST_MAX_BYTES = 64 * 1024
    body = multipart_body({"caption": "Checkpoint"}, 1000)

    response, _stream = send(as_journalist, f"/claims/{claim.pk}/evidence/new/", body, MULTIPART)

    assert response.status_code == 302
    assert Evidence.objects.get().caption == "Checkpoint"


def test_a_form_body_over_the_page_limit_is_refused_even_when_it_is_not_multipart(client, journalist):
    body = b"username=jo&password=correct-horse-battery-staple&padding=" + b"x" * (2 * MB)

    response, stream = send(client, "/accounts/login/", body, "application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert stream.bytes_read == 0
    assert not Session.objects.exists()


def test_a_5_mb_json_post_with_a_read_key_is_refused_unread_with_the_json_error_shape():
    body = json.dumps({"text": "x" * (5 * MB)}).encode()

    response, stream = send(key_client("read"), "/api/v1/claims/", body, "application/json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert stream.bytes_read == 0
    assert not Claim.objects.exists()


def test_an_api_body_under_the_limit_reaches_validation():
    body = json.dumps({"text": "x" * (MB // 2)}).encode()

    response, _stream = send(key_client("write"), "/api/v1/claims/", body, "application/json")

    assert response.status_code == 400
    assert "text" in response.json()["error"]["fields"]


@pytest.mark.parametrize("path", ["/api/v1/claims/", "/api/v1/no-such-thing/"])
def test_a_chunked_api_body_without_a_length_is_refused_unread(path):
    stream = CountingStream(b'{"text": "' + b"x" * (5 * MB) + b'"}')

    response = key_client("write").post(path, content_type="application/json", **CHUNKED, **{"wsgi.input": stream})

    assert response.status_code == 411
    assert response.json()["error"]["code"] == "length_required"
    assert stream.bytes_read == 0
    assert not Claim.objects.exists()


def test_a_chunked_upload_without_a_length_is_refused_unread(as_journalist, claim):
    stream = CountingStream(multipart_body({"caption": "Checkpoint"}, 20 * MB))

    response = as_journalist.post(
        f"/claims/{claim.pk}/evidence/new/",
        content_type=MULTIPART,
        **CHUNKED,
        **{"wsgi.input": stream},
    )

    assert response.status_code == 411
    assert stream.bytes_read == 0
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("depth", [100_000, 40])
def test_deeply_nested_json_is_a_400_in_the_error_shape(depth):
    body = b"[" * depth + b"]" * depth

    response = key_client("write").post("/api/v1/claims/", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert "nested deeper" in response.json()["error"]["message"]
    assert not Claim.objects.exists()
