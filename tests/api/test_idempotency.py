"""Idempotency-Key: a POST sent again with the same key creates nothing new and answers with the
first request's item, also when both arrive at once."""

import threading

import pytest
from django.db import connection

from claims.models import Appearance, Claim, Verdict
from tests import factories
from tests.api.conftest import APIClient, key_client

CLAIM = {"text": "The dam upstream of Mosul has been breached.", "tags": ["mosul"]}


def test_a_claim_posted_twice_with_the_same_key_is_created_once(write_client):
    first = write_client.post_json("/api/v1/claims/", CLAIM, HTTP_IDEMPOTENCY_KEY="c-1")
    second = write_client.post_json("/api/v1/claims/", CLAIM, HTTP_IDEMPOTENCY_KEY="c-1")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Claim.objects.count() == 1


def test_different_keys_or_no_key_create_each_time(write_client):
    for key in ("c-1", "c-2"):
        assert write_client.post_json("/api/v1/claims/", CLAIM, HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    assert write_client.post_json("/api/v1/claims/", CLAIM).status_code == 201
    assert write_client.post_json("/api/v1/claims/", CLAIM).status_code == 201

    assert Claim.objects.count() == 4
    assert len(set(Claim.objects.values_list("slug", flat=True))) == 4


def test_a_key_belongs_to_the_partner_that_sent_it(db):
    partners = [
        key_client(factories.make_api_key("write", partner=factories.make_partner(name))[1]) for name in ("A", "B")
    ]

    answers = [client.post_json("/api/v1/claims/", CLAIM, HTTP_IDEMPOTENCY_KEY="same") for client in partners]

    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json()["id"] != answers[1].json()["id"]


def test_an_appearance_posted_twice_with_the_same_key_is_created_once(write_client):
    claim = factories.make_claim()
    body = {"claim": claim.pk, "source": factories.SourceFactory().pk, "stance": "asserts"}

    first = write_client.post_json("/api/v1/appearances/", body, HTTP_IDEMPOTENCY_KEY="a-1")
    second = write_client.post_json("/api/v1/appearances/", body, HTTP_IDEMPOTENCY_KEY="a-1")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Appearance.objects.filter(claim=claim).count() == 1


def test_a_verdict_posted_twice_with_the_same_key_is_published_once(db):
    claim = factories.make_claim()
    client = APIClient()
    client.force_login(factories.EditorFactory())
    path = f"/api/v1/claims/{claim.pk}/verdicts/"

    first = client.post_json(path, {"rating": "False"}, HTTP_IDEMPOTENCY_KEY="v-1")
    second = client.post_json(path, {"rating": "False"}, HTTP_IDEMPOTENCY_KEY="v-1")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Verdict.objects.filter(claim=claim).count() == 1


@pytest.mark.parametrize("key", ["x" * 201, "naïve", "tab\there"])
def test_an_unusable_key_is_refused_and_nothing_is_created(write_client, key):
    response = write_client.post_json("/api/v1/claims/", CLAIM, HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert Claim.objects.count() == 0


def test_the_document_describes_the_idempotency_key_and_the_repeat_answer(read_client):
    document = read_client.get("/api/v1/schema/?format=json").json()
    for path in ("/api/v1/claims/", "/api/v1/appearances/", "/api/v1/claims/{id}/verdicts/"):
        operation = document["paths"][path]["post"]
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
        assert {"200", "201"} <= set(operation["responses"])


@pytest.mark.django_db(transaction=True)
def test_two_identical_posts_with_the_same_key_at_once_create_one_claim():
    plain = factories.make_api_key("write")[1]
    clients = [key_client(plain) for _ in range(2)]
    start = threading.Barrier(2)
    answers = [None, None]

    def post(index):
        try:
            start.wait()
            answers[index] = clients[index].post_json("/api/v1/claims/", CLAIM, HTTP_IDEMPOTENCY_KEY="once")
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer is stuck"

    assert sorted(answer.status_code for answer in answers) == [200, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Claim.objects.count() == 1
