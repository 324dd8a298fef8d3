"""The admin adds sources, feeds and documents through the same services as the newsroom pages."""

import pytest
from django.core.cache import cache

from sources import ingestion
from sources.models import Document, Feed, Source
from tests import factories
from tests.httpserver import LoopbackServer
from tests.shared_data import shared_data

pytestmark = pytest.mark.django_db

NO_FEEDS_POSTED = {"feeds-TOTAL_FORMS": "0", "feeds-INITIAL_FORMS": "0"}


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    settings.FETCH_TIMEOUT = 10
    cache.clear()  # robots.txt answers of an earlier test's server
    with LoopbackServer() as running:
        yield running


def atom_feed(server, path):
    atom = shared_data("feeds", "rss-parser", "feedburner.atom").read_bytes()
    return server.add(path, atom, content_type="application/atom+xml")


def test_adding_a_source_in_the_admin_refuses_a_name_taken_in_another_case(admin_client):
    factories.SourceFactory(name="Rudaw")
    response = admin_client.post("/admin/sources/source/add/", {"name": " rudaw ", "kind": Source.Kind.NEWS_OUTLET})
    assert response.status_code == 200
    assert "already a source called “Rudaw”" in " ".join(response.context["adminform"].form.errors["name"])
    assert Source.objects.count() == 1

    response = admin_client.post(
        "/admin/sources/source/add/", {"name": " Kirkuk Now ", "kind": Source.Kind.NEWS_OUTLET, "country": "IQ"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Source.objects.filter(name="Kirkuk Now", country="IQ").exists()


def test_renaming_a_source_to_a_taken_name_is_a_form_error(admin_client):
    factories.SourceFactory(name="Rudaw")
    source = factories.SourceFactory(name="Kurdistan 24")
    response = admin_client.post(
        f"/admin/sources/source/{source.pk}/change/", {"name": "RUDAW", "kind": source.kind, **NO_FEEDS_POSTED}
    )
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    source.refresh_from_db()
    assert source.name == "Kurdistan 24"


def test_adding_a_feed_in_the_admin_stores_the_same_row_as_add_feed(admin_client, server):
    source = factories.SourceFactory()
    url = atom_feed(server, "/atom.xml")
    response = admin_client.post(
        "/admin/sources/feed/add/", {"source": source.pk, "url": f"  {url} ", "poll_interval": "00:30:00"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = Feed.objects.get(url=url)
    by_the_service = ingestion.add_feed(
        url=atom_feed(server, "/other.xml"), source=source, poll_interval=added.poll_interval
    )

    def row(feed):
        return (
            feed.source_id,
            feed.kind,
            feed.poll_interval,
            feed.active,
            feed.last_status,
            feed.next_fetch_at is None,
        )

    assert row(added) == row(by_the_service) == (source.pk, Feed.Kind.ATOM, added.poll_interval, True, "new", False)
    assert str(added.poll_interval) == "0:30:00"
    assert Feed.history.filter(id=added.pk).count() == 1  # created once, not saved a second time


def test_adding_a_page_that_is_not_a_feed_is_a_form_error_and_no_feed(admin_client, server):
    source = factories.SourceFactory()
    url = server.add("/page.html", b"<!doctype html><html><body><p>Hello</p></body></html>")
    response = admin_client.post(
        "/admin/sources/feed/add/", {"source": source.pk, "url": url, "poll_interval": "00:15:00"}
    )
    assert response.status_code == 200
    assert "not a feed" in " ".join(response.context["adminform"].form.errors["url"])
    assert not Feed.objects.exists()


def test_a_feeds_address_cannot_be_changed_in_the_admin(admin_client):
    feed = factories.FeedFactory(url="https://feeds.example.org/a.xml")
    response = admin_client.post(
        f"/admin/sources/feed/{feed.pk}/change/",
        {
            "source": feed.source_id,
            "url": "https://elsewhere.example.org/b.xml",
            "kind": feed.kind,
            "poll_interval": "01:00:00",
            "active": "on",
            "next_fetch_at_0": feed.next_fetch_at.strftime("%Y-%m-%d"),
            "next_fetch_at_1": feed.next_fetch_at.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    feed.refresh_from_db()
    assert (feed.url, str(feed.poll_interval)) == ("https://feeds.example.org/a.xml", "1:00:00")


def test_adding_a_document_stores_its_canonical_url_and_refuses_a_second_copy(admin_client):
    source = factories.SourceFactory()
    response = admin_client.post(
        "/admin/sources/document/add/",
        {
            "source": source.pk,
            "url": "https://News.Example.org:443/a?utm_source=x&b=1#top",
            "kind": Document.Kind.ARTICLE,
            "title": "Police withdraw",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get()
    assert document.canonical_url == "https://news.example.org/a?b=1"
    assert document.url == "https://News.Example.org:443/a?utm_source=x&b=1#top"

    response = admin_client.post(
        "/admin/sources/document/add/",
        {"source": source.pk, "url": "https://news.example.org/a?fbclid=zz&b=1", "kind": Document.Kind.ARTICLE},
    )
    assert response.status_code == 200
    assert "already known" in " ".join(response.context["adminform"].form.errors["url"])
    assert Document.objects.count() == 1


def test_a_documents_address_and_source_cannot_be_changed_in_the_admin(admin_client):
    document = factories.DocumentFactory(url="https://news.example.org/a", title="Before")
    response = admin_client.post(
        f"/admin/sources/document/{document.pk}/change/",
        {
            "source": factories.SourceFactory().pk,
            "url": "https://news.example.org/b",
            "canonical_url": "https://news.example.org/b",
            "title": "After",
            "kind": document.kind,
            "first_seen_at_0": document.first_seen_at.strftime("%Y-%m-%d"),
            "first_seen_at_1": document.first_seen_at.strftime("%H:%M:%S"),
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = Document.objects.get(pk=document.pk)
    assert (stored.url, stored.canonical_url, stored.source_id, stored.title) == (
        "https://news.example.org/a",
        "https://news.example.org/a",
        document.source_id,
        "After",
    )


@pytest.mark.parametrize("model", ["historicalsource", "historicalfeed", "historicaldocument"])
def test_the_sources_audit_trail_is_shown_read_only(admin_client, model):
    factories.FeedFactory()
    factories.DocumentFactory()
    history_model = {"historicalsource": Source, "historicalfeed": Feed, "historicaldocument": Document}[
        model
    ].history.model
    assert admin_client.get(f"/admin/sources/{model}/").status_code == 200
    record = history_model.objects.first()
    page = admin_client.get(f"/admin/sources/{model}/{record.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.get(f"/admin/sources/{model}/add/").status_code == 403
