"""Bad input on every path that stores it gets a clear error and nothing is stored: URLs are
http/https only (Django's URL validation also accepts ftp), and free text is length-capped on
the forms and the API serializers (a TextField's max_length is not enforced by the database)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from claims.models import Appearance, Claim, StatusChange
from partners.models import Webhook
from sources.models import Document, Feed, Source
from tests import factories

pytestmark = pytest.mark.django_db

NOT_WEB = [
    "ftp://files.example.org/feed.xml",
    "ftps://files.example.org/a",
    "javascript:alert(1)",
    "file:///etc/passwd",
]


def key_client(scope="write"):
    _key, plain = factories.make_api_key(scope)
    return Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")


def api_error_fields(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]["fields"]


@pytest.mark.parametrize("url", NOT_WEB)
def test_a_feed_address_that_is_not_http_gets_a_form_error_and_no_feed(client, editor, url):
    source = factories.SourceFactory()
    client.force_login(editor)
    response = client.post(reverse("claims:source-feed-add", args=[source.pk]), {"url": url})
    assert response.status_code == 400
    assert "http" in " ".join(response.context["add_feed_form"].errors["url"])
    assert not Feed.objects.exists()


@pytest.mark.parametrize("url", NOT_WEB)
def test_an_appearance_with_a_non_http_document_url_is_refused_by_the_api(url, claim):
    source = factories.SourceFactory()
    body = {"claim": claim.pk, "source": source.pk, "stance": "asserts", "document_url": url}
    response = key_client().post("/api/v1/appearances/", body, content_type="application/json")
    assert response.status_code == 400
    assert "document_url" in api_error_fields(response)
    assert not Appearance.objects.exists()
    assert not Document.objects.exists()


@pytest.mark.parametrize("url", NOT_WEB)
def test_an_appearance_with_a_non_http_document_url_gets_a_form_error(client, journalist, claim, url):
    source = factories.SourceFactory()
    client.force_login(journalist)
    response = client.post(
        reverse("claims:appearance-create", args=[claim.pk]),
        {"source": source.pk, "stance": "asserts", "document_url": url},
    )
    assert response.status_code == 400
    assert "http" in " ".join(response.context["appearance_form"].errors["document_url"])
    assert not Appearance.objects.exists()
    assert not Document.objects.exists()


@pytest.mark.parametrize("url", NOT_WEB)
def test_a_webhook_with_a_non_http_url_is_refused(url):
    response = key_client("read").post("/api/v1/webhooks/", {"url": url}, content_type="application/json")
    assert response.status_code == 400
    assert "url" in api_error_fields(response)
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    ("model_instance", "field"),
    [
        (lambda: Source(name="Rudaw", homepage="ftp://rudaw.net/"), "homepage"),
        (lambda: Feed(source=factories.SourceFactory(), url="ftp://rudaw.net/rss"), "url"),
    ],
)
def test_models_refuse_non_http_urls_for_the_admin_and_any_model_form(model_instance, field):
    with pytest.raises(ValidationError) as error:
        model_instance().full_clean()
    assert field in error.value.message_dict


def test_an_oversized_claim_text_is_refused_by_the_api():
    response = key_client().post("/api/v1/claims/", {"text": "x" * 2001}, content_type="application/json")
    assert response.status_code == 400
    assert "2000" in " ".join(api_error_fields(response)["text"])
    assert not Claim.objects.exists()


def test_an_oversized_claim_text_gets_a_form_error(client, journalist):
    client.force_login(journalist)
    response = client.post(reverse("claims:create"), {"text": "x" * 2001})
    assert response.status_code == 400
    assert "2000" in " ".join(response.context["form"].errors["text"])
    assert not Claim.objects.exists()


def test_an_oversized_quote_is_refused_by_the_api(claim):
    source = factories.SourceFactory()
    body = {"claim": claim.pk, "source": source.pk, "stance": "asserts", "quote": "q" * 5001}
    response = key_client().post("/api/v1/appearances/", body, content_type="application/json")
    assert response.status_code == 400
    assert "quote" in api_error_fields(response)
    assert not Appearance.objects.exists()


def test_an_oversized_quote_gets_a_form_error(client, journalist, claim):
    source = factories.SourceFactory()
    client.force_login(journalist)
    response = client.post(
        reverse("claims:appearance-create", args=[claim.pk]),
        {"source": source.pk, "stance": "asserts", "quote": "q" * 5001},
    )
    assert response.status_code == 400
    assert "5000" in " ".join(response.context["appearance_form"].errors["quote"])
    assert not Appearance.objects.exists()


def test_an_oversized_rationale_is_refused_by_the_api(claim, editor):
    client = Client()
    client.force_login(editor)
    body = {"to_status": "false", "rationale": "r" * 5001}
    response = client.post(f"/api/v1/claims/{claim.pk}/status/", body, content_type="application/json")
    assert response.status_code == 400
    assert "rationale" in api_error_fields(response)
    assert StatusChange.objects.filter(claim=claim).count() == 1  # only the claim's first status


def test_an_oversized_rationale_gets_a_form_error(client, editor, claim):
    client.force_login(editor)
    body = {"to_status": "false", "rationale": "r" * 5001, "expected_status": claim.status}
    response = client.post(reverse("claims:status-change", args=[claim.pk]), body)
    assert response.status_code == 400
    assert "5000" in " ".join(response.context["status_form"].errors["rationale"])
    claim.refresh_from_db()
    assert claim.status == "unverified"
