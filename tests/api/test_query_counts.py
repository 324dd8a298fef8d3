"""Every endpoint runs the same number of queries whether it returns 1 item or 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.models import Stance
from partners import services as partner_services
from partners.models import WebhookAttempt, WebhookDelivery
from tests import factories
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


class World:
    def __init__(self):
        self.editor = factories.EditorFactory()
        self.journalist = factories.JournalistFactory()
        self.partner = factories.make_partner()
        self.client = key_client(factories.make_api_key("read", partner=self.partner)[1])
        self.claim = factories.make_claim(created_by=self.journalist, tags=["a", "b"])
        self.webhook = partner_services.register_webhook(partner=self.partner, url="https://93.184.215.14/hook")
        self.n = 0

    def rich_claim(self, n):
        claim = factories.make_claim(text=f"Claim {n}", created_by=self.journalist, tags=[f"t{n}", "shared"])
        self.appearance(claim)
        services.publish_verdict(claim=claim, rating_name="False", author=self.editor)
        return claim

    def appearance(self, claim):
        self.n += 1
        document = factories.DocumentFactory()
        factories.DocumentRevisionFactory(document=document)
        factories.DocumentRevisionFactory(document=document)  # a rewrite: a timeline event
        return factories.make_appearance(
            claim=claim, source=document.source, document=document, stance=Stance.ASSERTS, recorded_by=self.journalist
        )

    def delivery(self):
        self.n += 1
        delivery = WebhookDelivery.objects.create(
            webhook=self.webhook, event_id=f"e{self.n}", event_type="claim.status_changed", payload={"n": self.n}
        )
        WebhookAttempt.objects.create(delivery=delivery, number=1, status_code=500, error="The receiver answered 500.")
        WebhookAttempt.objects.create(delivery=delivery, number=2, status_code=200)


# endpoint → (url, how to add one more item of what it lists)
ENDPOINTS = {
    "claims": (lambda w: "/api/v1/claims/", lambda w, n: w.rich_claim(n)),
    "claim": (lambda w: f"/api/v1/claims/{w.claim.pk}/", lambda w, n: w.appearance(w.claim)),
    "timeline": (lambda w: f"/api/v1/claims/{w.claim.pk}/timeline/", lambda w, n: w.appearance(w.claim)),
    "claimreview": (lambda w: f"/api/v1/claims/{w.claim.pk}/claimreview/", lambda w, n: w.appearance(w.claim)),
    "claimreviews": (lambda w: "/api/v1/claimreviews/", lambda w, n: w.rich_claim(n)),
    "appearances": (lambda w: "/api/v1/appearances/", lambda w, n: w.appearance(w.claim)),
    "status-changes": (lambda w: "/api/v1/status-changes/", lambda w, n: factories.make_claim(text=f"C{n}")),
    "sources": (lambda w: "/api/v1/sources/", lambda w, n: factories.SourceFactory()),
    "documents": (lambda w: "/api/v1/documents/", lambda w, n: w.appearance(w.claim)),
    "deliveries": (lambda w: f"/api/v1/webhooks/{w.webhook.pk}/deliveries/", lambda w, n: w.delivery()),
}


# One of them is the API key's lookup.
EXPECTED_QUERIES = {
    "claims": 5,  # key, claims, tags, wordings, verdicts
    # key, claim with its current verdict, tags, wordings, appearances with source and document, status changes
    "claim": 6,
    # key, claim, appearances, their evidence, merged duplicates, status changes, verdicts, edits,
    # revisions, pages removed or moved
    "timeline": 10,
    "claimreview": 6,  # key, claim, claim with verdicts, verdicts, appearances, wordings
    "claimreviews": 5,  # key, claims, verdicts, appearances, wordings
    "appearances": 2,
    "status-changes": 2,
    "sources": 2,
    "documents": 2,
    "deliveries": 4,  # key, webhook, deliveries, attempts
}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_query_count_is_the_same_for_1_and_50_items(endpoint):
    world = World()
    services.publish_verdict(claim=world.claim, rating_name="Mixed", author=world.editor)
    url_of, add_item = ENDPOINTS[endpoint]
    add_item(world, 0)
    url = url_of(world)
    world.client.get(url)  # the key's last-used time is written on first use only
    with_one, _ = count_queries(world.client, url)
    for n in range(1, 50):
        add_item(world, n)
    with_fifty, response = count_queries(world.client, url)
    assert with_one == with_fifty, f"{endpoint}: {with_one} queries for 1 item, {with_fifty} for 50"
    assert with_fifty == EXPECTED_QUERIES[endpoint]
    body = response.json()
    items = body.get("results", body) if isinstance(body, dict) else body
    if endpoint == "claim":
        items = body["appearances"]
    if endpoint == "claimreview":
        items = body["itemReviewed"]["appearance"]
    assert len(items) >= 50


def walk(client, url):
    """Every page from `url` on, following `next` links: (claim ids in order, queries per page)."""
    ids, queries_per_page = [], []
    while url:
        queries, response = count_queries(client, url)
        ids += [claim["id"] for claim in response.json()["results"]]
        queries_per_page.append(queries)
        url = response.json()["next"]
    return ids, queries_per_page


def test_walking_every_cursor_page_returns_each_claim_once_and_later_pages_cost_what_the_first_does():
    world = World()
    tagged = [world.rich_claim(n) for n in range(7)]
    untagged = [factories.make_claim(text=f"Untagged {n}") for n in range(4)]
    world.client.get("/api/v1/claims/")  # the key's last-used time is written on first use only

    every_id, queries_per_page = walk(world.client, "/api/v1/claims/?page_size=3")
    assert every_id == sorted((c.pk for c in [world.claim, *tagged, *untagged]), reverse=True)
    assert len(queries_per_page) == 4
    assert set(queries_per_page) == {EXPECTED_QUERIES["claims"]}

    tagged_ids, queries_per_page = walk(world.client, "/api/v1/claims/?tag=shared&page_size=3")
    assert tagged_ids == sorted((c.pk for c in tagged), reverse=True)
    assert len(queries_per_page) == 3
    assert max(queries_per_page[1:]) <= queries_per_page[0]


def test_a_next_link_without_filters_builds_no_filter_set_and_one_with_a_filter_does(monkeypatch):
    """What made page 2 slower than page 1 (django-filter builds a form per filter set): the cursor
    and page size are no filter, so a `next` link alone skips the filter set; a filter still uses it."""
    from claims.api.views import ClaimFilter

    built = []
    build = ClaimFilter.__init__
    monkeypatch.setattr(ClaimFilter, "__init__", lambda self, *a, **kw: built.append(1) or build(self, *a, **kw))
    world = World()
    for n in range(3):
        world.rich_claim(n)
    page_2 = world.client.get("/api/v1/claims/?page_size=2").json()["next"]
    assert "cursor=" in page_2 and world.client.get(page_2).status_code == 200
    assert built == []
    filtered_page_2 = world.client.get("/api/v1/claims/?tag=shared&page_size=2").json()["next"]
    assert world.client.get(filtered_page_2).status_code == 200
    assert len(built) == 2
