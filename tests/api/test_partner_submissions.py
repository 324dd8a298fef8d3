"""A partner's submission is the partner's word until a journalist accepts it: the document address
and title it gives stay on the pending appearance, and no document exists because of it until then."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims import services
from claims.models import Appearance
from sources import ingestion
from sources.models import Document
from tests import factories
from tests.httpserver import LoopbackServer
from tests.web_pages import PARAGRAPHS, article, rss

pytestmark = pytest.mark.django_db

FALSE_TITLE = "Ministry admits the withdrawal"


def submit(client, *, claim, source, url, title=FALSE_TITLE):
    response = client.post_json(
        "/api/v1/appearances/",
        {
            "claim": claim.pk,
            "source": source.pk,
            "stance": "asserts",
            "quote": "They left.",
            "document_url": url,
            "document_title": title,
        },
    )
    assert response.status_code == 201, response.content
    return Appearance.objects.get(pk=response.json()["id"])


def test_a_pending_submission_keeps_the_address_on_the_appearance_and_creates_no_document(write_client, claim):
    named = factories.SourceFactory(name="Partner's pick")
    appearance = submit(write_client, claim=claim, source=named, url="https://news.example.org/kirkuk?utm_source=x")
    assert appearance.document is None
    assert (appearance.submitted_document_url, appearance.submitted_document_title) == (
        "https://news.example.org/kirkuk?utm_source=x",
        FALSE_TITLE,
    )
    assert not Document.objects.exists()


def test_a_rejected_partner_submission_leaves_no_document(write_client, claim, journalist):
    appearance = submit(write_client, claim=claim, source=factories.SourceFactory(), url="https://news.example.org/a")
    services.reject_pending_appearance(appearance=appearance, reviewed_by=journalist)
    assert not Document.objects.exists()


def test_accepting_a_submission_creates_its_document_and_publishes_it(write_client, read_client, claim, as_journalist):
    named = factories.SourceFactory(name="Rudaw")
    appearance = submit(write_client, claim=claim, source=named, url="https://www.rudaw.example/basra?utm_source=x")

    response = as_journalist.post(reverse("claims:review-accept", args=[appearance.pk]))

    assert response.status_code == 302
    appearance.refresh_from_db()
    assert appearance.review_state == Appearance.ReviewState.ACCEPTED
    document = appearance.document
    assert (document.canonical_url, document.source, document.title) == (
        "https://www.rudaw.example/basra",
        named,
        FALSE_TITLE,
    )
    [published] = read_client.get(f"/api/v1/claims/{claim.pk}/").json()["appearances"]
    assert published["document"]["id"] == document.pk
    assert published["document"]["title"] == FALSE_TITLE


def test_accepting_a_submission_of_a_known_address_links_it_and_keeps_its_own_title(write_client, claim, journalist):
    named = factories.SourceFactory(name="Rudaw")
    appearance = submit(write_client, claim=claim, source=named, url="https://www.rudaw.example/basra")
    known = factories.ingest_article(
        title="The real headline", text="Rationing starts.", source=named, url="https://www.rudaw.example/basra"
    ).document

    accepted = services.accept_pending_appearance(appearance=appearance, reviewed_by=journalist)

    assert accepted.document == known
    known.refresh_from_db()
    assert known.title == "The real headline"
    assert Document.objects.count() == 1


@pytest.fixture
def loopback_fetching(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    cache.clear()  # robots.txt answers of an earlier test's server
    with LoopbackServer() as server:
        yield server


def test_a_pending_submission_does_not_stop_ingestion_fetching_the_address_with_its_real_source_and_title(
    loopback_fetching, write_client, claim, journalist
):
    server = loopback_fetching
    page = server.add("/kirkuk", article("Police still in Kirkuk", PARAGRAPHS))
    publisher = factories.SourceFactory(name="The real publisher")
    pretender = factories.SourceFactory(name="Someone else")
    appearance = submit(write_client, claim=claim, source=pretender, url=page)

    feed = factories.FeedFactory(source=publisher, url=server.add("/feed.xml", rss([(page, "Police")])))
    [entry_id] = ingestion.poll_feed(feed_id=feed.pk).pending_entry_ids
    outcome = ingestion.fetch_entry(entry_id=entry_id)

    assert outcome.new_document
    assert server.hits["/kirkuk"] == 1
    document = Document.objects.get()
    assert (document.source, document.title) == (publisher, "Police still in Kirkuk")
    # The partner named another source: accepting is refused, clearly, and changes nothing.
    with pytest.raises(ValidationError) as refused:
        services.accept_pending_appearance(appearance=appearance, reviewed_by=journalist)
    assert "The real publisher" in str(refused.value)
    appearance.refresh_from_db()
    assert appearance.review_state == Appearance.ReviewState.PENDING
    assert appearance.document is None


def test_the_review_queue_shows_the_address_the_partner_gave(write_client, claim, as_journalist):
    appearance = submit(write_client, claim=claim, source=factories.SourceFactory(), url="https://news.example.org/b")
    queue = as_journalist.get(reverse("claims:review")).content.decode()
    assert "https://news.example.org/b" in queue and FALSE_TITLE in queue
    edit = as_journalist.get(reverse("claims:review-edit", args=[appearance.pk])).content.decode()
    assert "not yet a document" in edit
