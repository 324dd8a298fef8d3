"""Ingestion from feeds to documents and revisions, over real HTTP served on loopback."""

import io
import json
from datetime import timedelta
from xml.sax.saxutils import escape

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from sources import ingestion
from sources.models import Document, DocumentRevision, Feed, FeedEntry, Source
from tests.factories import FeedEntryFactory, FeedFactory, SourceFactory
from tests.httpserver import LoopbackServer, slow_drip
from tests.shared_data import shared_data
from tests.web_pages import PARAGRAPHS, article, rss

# transaction=True: `ingest` fetches articles on several threads, each with its own connection.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fetch_settings(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    settings.FETCH_TIMEOUT = 10
    cache.clear()  # robots.txt answers of an earlier test's server


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def run_ingest(*args):
    out = io.StringIO()
    call_command("ingest", "--once", *args, stdout=out)
    return out.getvalue().strip()


def gold_score(text, gold):
    passed = sum(segment in text for segment in gold["with"]) + sum(segment not in text for segment in gold["without"])
    return passed, len(gold["with"]) + len(gold["without"])


def test_real_pages_become_one_document_each_with_their_main_text_and_ingesting_again_adds_nothing(server):
    pages = shared_data("pages")
    gold = json.loads((pages / "gold_segments.json").read_text())
    for name in gold:
        server.add(f"/articles/{name}", (pages / name).read_bytes())
    feed_url = server.add("/feed.xml", rss([(server.url(f"/articles/{name}"), name) for name in gold]))
    FeedFactory(url=feed_url)

    summary = run_ingest()

    assert summary == f"feeds polled: 1, new documents: {len(gold)}, new revisions: 0, errors: 0"
    assert Document.objects.count() == len(gold)
    passed = total = 0
    for name, segments in gold.items():
        document = Document.objects.get(url=server.url(f"/articles/{name}"))
        assert document.revisions.count() == 1
        assert document.title
        got, possible = gold_score(document.revisions.get().text, segments)
        passed, total = passed + got, total + possible
    assert passed / total >= 0.9, f"only {passed} of {total} gold segments right"

    hits_before = sum(server.hits.values())
    again = run_ingest()
    assert again == "feeds polled: 1, new documents: 0, new revisions: 0, errors: 0"
    assert Document.objects.count() == len(gold)
    assert DocumentRevision.objects.count() == len(gold)
    assert sum(server.hits.values()) == hits_before + 1  # only the feed itself was fetched again


def test_a_changed_page_gives_exactly_one_new_revision_and_an_unchanged_page_none(server, settings):
    settings.INGEST_PROCESSES = 1  # extraction in the fetching threads (the other tests fork)
    changing = server.add("/a", article("Police withdraw from Kirkuk", PARAGRAPHS))
    steady = server.add("/b", article("Ministry statement", PARAGRAPHS[1:]))
    FeedFactory(url=server.add("/feed.xml", rss([(changing, "A"), (steady, "B")])))
    run_ingest()

    server.add("/a", article("Ministry denies Kirkuk withdrawal", PARAGRAPHS))
    summary = run_ingest("--recheck")

    assert summary.endswith("new documents: 0, new revisions: 1, errors: 0")
    changed = Document.objects.get(url=changing)
    assert list(changed.revisions.order_by("fetched_at").values_list("title", flat=True)) == [
        "Police withdraw from Kirkuk",
        "Ministry denies Kirkuk withdrawal",
    ]
    assert changed.title == "Ministry denies Kirkuk withdrawal"
    assert Document.objects.get(url=steady).revisions.count() == 1
    assert run_ingest("--recheck").endswith("new revisions: 0, errors: 0")


def test_canonical_link_and_tracking_parameters_decide_the_document_identity(server):
    page = article("One story", PARAGRAPHS).replace(
        b"<head>", f'<head><link rel="canonical" href="{server.url("/story?id=7&utm_source=x")}">'.encode()
    )
    first = server.add("/story-print", page)
    second = server.add("/story-amp", page)
    tracked = server.add("/other", article("Other story", PARAGRAPHS[:2]))
    FeedFactory(url=server.add("/feed.xml", rss([(first, "1"), (second, "2"), (tracked + "?utm_medium=rss", "3")])))

    assert run_ingest().endswith("new documents: 2, new revisions: 0, errors: 0")
    assert set(Document.objects.values_list("canonical_url", flat=True)) == {
        server.url("/story?id=7"),
        server.url("/other"),
    }


def test_every_shared_feed_is_ingested_or_recorded_as_a_clear_error(server):
    feed_files = sorted(shared_data("feeds", "feedparser").glob("*.xml")) + sorted(
        p for p in shared_data("feeds", "rss-parser").iterdir() if p.is_file()
    )
    served_as = {
        name: header.split(":", 1)[1].strip()
        for name, about in json.loads(shared_data("feeds", "feedparser", "index.json").read_text()).items()
        for header in about["http_headers"]
        if header.lower().startswith("content-type:")
    }
    source = SourceFactory()
    for path in feed_files:
        content_type = served_as.get(path.name, "application/xml")
        url = server.add(f"/{path.parent.name}/{path.name}", path.read_bytes(), content_type=content_type)
        FeedFactory(url=url, source=source)

    for feed in Feed.objects.all():
        outcome = ingestion.poll_feed(feed_id=feed.pk)
        assert outcome.claimed

    for feed in Feed.objects.all():
        if feed.last_status == Feed.PollStatus.ERROR:
            assert feed.last_error.startswith(("not a feed", "malformed")), feed.url
            assert feed.consecutive_failures == 1
        else:
            assert feed.last_status in (Feed.PollStatus.OK, Feed.PollStatus.MALFORMED), feed.url
            assert feed.last_status == Feed.PollStatus.OK or feed.last_error.startswith("malformed feed:")
    html_page = Feed.objects.get(url__endswith="/unrecognized.rss")
    assert html_page.last_status == Feed.PollStatus.ERROR
    assert "HTML page" in html_page.last_error
    real = Feed.objects.get(url__endswith="/feedburner.atom")
    assert real.kind == Feed.Kind.ATOM
    assert real.items_seen == FeedEntry.objects.filter(feed=real).count() > 0
    assert Feed.objects.get(url__endswith="/craigslist.rss").entries.exists()
    # Most of the collection is readable: errors are the exception, not the rule.
    assert Feed.objects.exclude(last_status=Feed.PollStatus.ERROR).count() >= len(feed_files) * 0.75


def test_a_malformed_feed_keeps_the_items_it_could_read(server):
    good = server.add("/a", article("Readable", PARAGRAPHS))
    broken = rss([(good, "Readable item")]).replace(b"</channel></rss>", b"<item><title>cut off")
    feed = FeedFactory(url=server.add("/feed.xml", broken))

    summary = run_ingest()

    feed.refresh_from_db()
    assert feed.last_status == Feed.PollStatus.MALFORMED
    assert feed.last_error.startswith("malformed feed:")
    assert Document.objects.filter(url=good).exists()
    assert summary == "feeds polled: 1, new documents: 1, new revisions: 0, errors: 1"


def test_refused_and_cut_off_fetches_are_recorded_and_the_run_goes_on(server, settings):
    settings.FETCH_MAX_BYTES = 200_000
    settings.FETCH_TIMEOUT = 1.5
    good = server.add("/good", article("Good article", PARAGRAPHS))
    bad_items = {
        "loopback not allowed": f"http://127.0.0.2:{server.port}/good",
        "mapped loopback": f"http://[::ffff:127.0.0.2]:{server.port}/good",
        "metadata redirect": server.redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/"),
        "cgnat": "http://100.64.0.1/news",
        "port 22": "http://93.184.215.14:22/news",
        "oversized": server.add("/huge", b"<html><body>" + b"<p>word</p>" * 30_000 + b"</body></html>"),
        "slow drip": server.add_handler("/drip", slow_drip(chunks=100, interval=0.1)),
    }
    items = [(url, name) for name, url in bad_items.items()] + [("file:///etc/passwd", "file"), (good, "good")]
    FeedFactory(url=server.add("/feed.xml", rss(items)))
    refused_feeds = [
        FeedFactory(url="http://100.64.0.1/feed.xml"),
        FeedFactory(url="file:///etc/passwd"),
        FeedFactory(url=f"http://127.0.0.2:{server.port}/feed.xml"),
    ]

    summary = run_ingest()

    assert Document.objects.filter(url=good).count() == 1
    assert summary.startswith("feeds polled: 4, new documents: 1, new revisions: 0, errors: ")
    for name, url in bad_items.items():
        entry = FeedEntry.objects.get(url=url)
        assert entry.document is None, name
        assert entry.last_error, name
    assert "refused" in FeedEntry.objects.get(url=bad_items["metadata redirect"]).last_error
    assert "169.254.169.254" in FeedEntry.objects.get(url=bad_items["metadata redirect"]).last_error
    assert "byte limit" in FeedEntry.objects.get(url=bad_items["oversized"]).last_error
    assert "timed out" in FeedEntry.objects.get(url=bad_items["slow drip"]).last_error
    for name in ("loopback not allowed", "mapped loopback", "cgnat", "port 22"):
        entry = FeedEntry.objects.get(url=bad_items[name])
        assert entry.state == FeedEntry.State.FAILED
        assert "refused" in entry.last_error, name
    # A timeout is transient: the entry waits for a retry; refusals are final.
    assert FeedEntry.objects.get(url=bad_items["slow drip"]).state == FeedEntry.State.PENDING
    assert not FeedEntry.objects.filter(url__startswith="file:").exists()
    listing = Feed.objects.get(url=server.url("/feed.xml"))
    assert listing.last_status == Feed.PollStatus.OK
    assert listing.last_error == "1 items without a usable link were skipped"
    for feed in refused_feeds:
        feed.refresh_from_db()
        assert feed.last_status == Feed.PollStatus.ERROR
        assert feed.last_error.startswith("refused:"), feed.last_error
    assert server.hits["/feed.xml"] == 1  # the 127.0.0.2 feed never reached the server


def test_not_modified_feed_stores_nothing_and_is_not_parsed(server, monkeypatch):
    page = server.add("/a", article("Story", PARAGRAPHS))
    feed = FeedFactory(url=server.add("/feed.xml", rss([(page, "Story")]), etag='"v1"'))
    run_ingest()
    feed.refresh_from_db()
    assert feed.etag == '"v1"'

    parses = []
    real_parse = ingestion.parse_feed
    monkeypatch.setattr(ingestion, "parse_feed", lambda *a, **k: parses.append(a) or real_parse(*a, **k))
    documents, entries = Document.objects.count(), FeedEntry.objects.count()
    summary = run_ingest()

    feed.refresh_from_db()
    assert summary == "feeds polled: 1, new documents: 0, new revisions: 0, errors: 0"
    assert server.requests[-1][2]["If-None-Match"] == '"v1"'
    assert feed.last_status == Feed.PollStatus.NOT_MODIFIED
    assert parses == []
    assert (Document.objects.count(), FeedEntry.objects.count()) == (documents, entries)


def ingested_page(server, title, **route):
    """One article at /a, listed by a feed and ingested: its document."""
    page = server.add("/a", article(title, PARAGRAPHS), **route)
    FeedFactory(url=server.add("/feed.xml", rss([(page, title)])))
    run_ingest()
    return Document.objects.get()


def counting(extract_calls):
    """ingestion's extractor, counting its calls (to see that a 304 is not extracted)."""

    def extract(*args, **kwargs):
        extract_calls.append(args[1])
        return ingestion.extract_article(*args, **kwargs)

    return extract


def test_recheck_of_an_unchanged_page_is_a_conditional_get_and_a_304_keeps_what_is_stored(server):
    document = ingested_page(server, "Unchanged", etag='"a1"')
    assert document.etag == '"a1"'
    stored_text = document.revisions.get().text

    extract_calls = []
    outcome = ingestion.recheck_document(document_id=document.pk, extract=counting(extract_calls))

    assert server.requests[-1][1] == "/a" and server.requests[-1][2]["If-None-Match"] == '"a1"'
    assert outcome.claimed and not outcome.new_revision and not outcome.error
    assert extract_calls == []  # nothing to parse
    document.refresh_from_db()
    assert document.last_checked_at is not None and document.last_check_error == ""
    assert document.revisions.get().text == stored_text
    assert document.etag == '"a1"'


def test_recheck_of_a_rewritten_page_records_the_revision_and_its_new_validators(server):
    document = ingested_page(server, "First version", etag='"a1"')

    server.add("/a", article("Second version", PARAGRAPHS), etag='"a2"')
    outcome = ingestion.recheck_document(document_id=document.pk)

    assert server.requests[-1][2]["If-None-Match"] == '"a1"'
    assert outcome.new_revision
    document.refresh_from_db()
    assert document.etag == '"a2"'
    assert document.revisions.count() == 2


def test_recheck_uses_last_modified_when_the_site_sends_no_etag(server):
    stamp = "Wed, 25 Nov 2026 10:00:00 GMT"
    document = ingested_page(server, "Dated", headers={"Last-Modified": stamp})
    assert (document.etag, document.last_modified) == ("", stamp)

    extract_calls = []
    outcome = ingestion.recheck_document(document_id=document.pk, extract=counting(extract_calls))

    assert server.requests[-1][2]["If-Modified-Since"] == stamp
    assert extract_calls == []  # answered 304: nothing to parse
    assert not outcome.new_revision and not outcome.error
    assert document.revisions.count() == 1


def test_recheck_without_stored_validators_fetches_unconditionally(server):
    document = ingested_page(server, "No validators")

    outcome = ingestion.recheck_document(document_id=document.pk)

    headers = server.requests[-1][2]
    assert "If-None-Match" not in headers and "If-Modified-Since" not in headers
    assert not outcome.new_revision and not outcome.error  # same content: no new revision


def latest_revision(document):
    return document.revisions.order_by("-fetched_at", "-id").first()


def test_validators_are_not_sent_to_a_redirect_target_and_the_other_page_is_a_move_not_a_revision(server):
    stamp = "Wed, 25 Nov 2026 10:00:00 GMT"
    document = ingested_page(server, "Original", headers={"Last-Modified": stamp})
    # The page now redirects to another one that would answer 304 to the same If-Modified-Since.
    server.add("/b", article("A different page", ["Other text " * 40]), headers={"Last-Modified": stamp})
    server.redirect("/a", server.url("/b"), status=301)

    outcome = ingestion.recheck_document(document_id=document.pk)

    asked_a, asked_b = server.requests[-2], server.requests[-1]
    assert asked_a[1] == "/a" and asked_a[2]["If-Modified-Since"] == stamp
    assert asked_b[1] == "/b" and "If-Modified-Since" not in asked_b[2]
    # The address now leads to another page: shown as moved, never stored as this document's text.
    assert not outcome.new_revision
    assert latest_revision(document).title == "Original"
    assert list(document.availability_changes.values_list("state", "location")) == [("moved", server.url("/b"))]


def test_after_a_temporary_redirect_elsewhere_the_page_is_back_and_its_stored_copy_still_stands(server):
    document = ingested_page(server, "Real article", etag='"a1"')
    server.add("/consent", article("Please accept cookies", ["Consent text " * 40]))
    server.redirect("/a", server.url("/consent"))
    # The consent page is not a revision of the article: the address is shown as moved.
    assert not ingestion.recheck_document(document_id=document.pk).new_revision
    document.refresh_from_db()
    assert document.etag == '"a1"'  # still describes the stored copy, which is still the latest revision

    server.add("/a", article("Real article", PARAGRAPHS), etag='"a1"')
    assert not ingestion.recheck_document(document_id=document.pk).new_revision  # 304: unchanged

    assert server.requests[-1][2]["If-None-Match"] == '"a1"'
    assert latest_revision(document).title == "Real article"
    assert list(document.availability_changes.values_list("state", flat=True)) == ["moved", "restored"]


def canonical_page(title, paragraphs, canonical):
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="en"><head><title>{escape(title)}</title><link rel="canonical" '
        f'href="{canonical}"></head><body><article><h1>{escape(title)}</h1>{body}</article></body></html>'
    ).encode()


def test_a_variant_merged_by_its_canonical_link_is_not_vouched_for_by_a_later_304(server):
    canonical = server.url("/a")
    server.add("/a", canonical_page("Full article", PARAGRAPHS, canonical), etag='"a1"')
    FeedFactory(url=server.add("/feed.xml", rss([(canonical, "Full article")])))
    run_ingest()
    document = Document.objects.get()
    variant = server.add("/a/amp", canonical_page("Full article (short)", PARAGRAPHS[:1] * 3, canonical))
    FeedFactory(url=server.add("/feed2.xml", rss([(variant, "Full article")])), source=SourceFactory())
    run_ingest()  # the same document (one canonical URL), with a revision from /a/amp
    assert Document.objects.count() == 1 and document.revisions.count() == 2

    ingestion.recheck_document(document_id=document.pk)

    assert "If-None-Match" not in server.requests[-1][2]
    assert latest_revision(document).title == "Full article"


def test_a_validator_that_cannot_be_sent_back_is_not_kept_and_rechecks_go_on(server):
    document = ingested_page(server, "Real article", etag='"caf\u00e9"')
    assert document.etag == ""
    Document.objects.filter(pk=document.pk).update(first_seen_at=timezone.now() - timedelta(hours=2))

    outcome = ingestion.recheck_document(document_id=document.pk, check_number=0)

    assert outcome.claimed and not outcome.error
    document.refresh_from_db()
    assert document.checks_done == 1 and document.next_check_at is not None


def test_a_scheduled_recheck_answered_304_moves_to_the_next_slot(server):
    document = ingested_page(server, "Scheduled", etag='"s1"')
    Document.objects.filter(pk=document.pk).update(first_seen_at=timezone.now() - timedelta(hours=2))

    outcome = ingestion.recheck_document(document_id=document.pk, check_number=0)

    assert server.requests[-1][2]["If-None-Match"] == '"s1"'
    assert outcome.claimed and not outcome.new_revision
    document.refresh_from_db()
    assert document.checks_done == 1
    assert document.next_check_at == document.first_seen_at + timedelta(hours=6)
    assert document.revisions.count() == 1


def test_a_redirected_feed_keeps_no_validators_of_the_target_for_its_own_url(server):
    page = server.add("/a", article("Story", PARAGRAPHS))
    server.add("/feed.xml", rss([(page, "Story")]), etag='"v1"')
    feed = FeedFactory(url=server.redirect("/old-feed.xml", server.url("/feed.xml"), status=301))
    run_ingest()
    feed.refresh_from_db()
    assert (feed.etag, feed.last_status) == ("", Feed.PollStatus.OK)

    run_ingest()

    asked_old = [r for r in server.requests if r[1] == "/old-feed.xml"][-1]
    assert "If-None-Match" not in asked_old[2]


def test_robots_txt_forbidding_a_page_is_respected(server):
    server.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    hidden = server.add("/private/a", article("Hidden", PARAGRAPHS))
    shown = server.add("/public/b", article("Shown", PARAGRAPHS))
    FeedFactory(url=server.add("/feed.xml", rss([(hidden, "h"), (shown, "s")])))

    run_ingest()

    assert server.hits["/private/a"] == 0
    assert FeedEntry.objects.get(url=hidden).state == FeedEntry.State.FAILED
    assert "robots.txt" in FeedEntry.objects.get(url=hidden).last_error
    assert Document.objects.filter(url=shown).exists()


def test_fetching_an_entry_twice_stores_one_document(server):
    page = server.add("/a", article("Once", PARAGRAPHS))
    feed = FeedFactory(url=server.add("/feed.xml", rss([(page, "Once")])))
    [entry_id] = ingestion.poll_feed(feed_id=feed.pk).pending_entry_ids

    first = ingestion.fetch_entry(entry_id=entry_id)
    second = ingestion.fetch_entry(entry_id=entry_id)

    assert first.new_document and not second.claimed
    assert Document.objects.count() == 1
    assert server.hits["/a"] == 1


def test_an_entry_claimed_by_another_worker_is_left_alone_until_its_lease_expires(server):
    page = server.add("/a", article("Leased", PARAGRAPHS))
    entry_id = FeedEntryFactory(url=page, lease_until=timezone.now() + timedelta(minutes=5)).pk

    assert not ingestion.fetch_entry(entry_id=entry_id).claimed
    assert server.hits["/a"] == 0

    # The worker holding it died: once the lease runs out the entry is fetched.
    FeedEntry.objects.filter(pk=entry_id).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert ingestion.fetch_entry(entry_id=entry_id).new_document


def test_an_entry_whose_worker_died_on_each_attempt_is_given_up_not_fetched_forever(server):
    page = server.add("/a", article("Poison", PARAGRAPHS))
    # Every attempt so far ended with the worker killed mid-fetch: still pending, lease run out.
    entry_id = FeedEntryFactory(
        url=page, attempts=FeedEntry.MAX_ATTEMPTS, lease_until=timezone.now() - timedelta(seconds=1)
    ).pk
    FeedEntry.objects.filter(pk=entry_id).update(updated_at=timezone.now() - timedelta(hours=1))
    assert ingestion.take_due_work().entry_ids == [entry_id]  # beat queues it once more ...

    assert not ingestion.fetch_entry(entry_id=entry_id).claimed  # ... and it is not fetched again

    entry = FeedEntry.objects.get(pk=entry_id)
    assert (entry.state, entry.attempts, entry.lease_until) == (FeedEntry.State.FAILED, FeedEntry.MAX_ATTEMPTS, None)
    assert entry.last_error == f"given up: the worker stopped while fetching it {FeedEntry.MAX_ATTEMPTS} times"
    assert server.hits["/a"] == 0
    FeedEntry.objects.filter(pk=entry_id).update(updated_at=timezone.now() - timedelta(hours=1))
    assert ingestion.take_due_work().entry_ids == []


def test_a_failing_feed_backs_off_with_jitter_becomes_unhealthy_and_recovers(server):
    feed = FeedFactory(url=server.add("/feed.xml", b"oops", status=503), poll_interval=timedelta(minutes=10))
    waits = []
    for _ in range(3):
        before = timezone.now()
        ingestion.poll_feed(feed_id=feed.pk)
        feed.refresh_from_db()
        waits.append(feed.next_fetch_at - before)
    assert feed.consecutive_failures == 3
    assert not feed.is_healthy
    assert feed.last_error == "the server answered HTTP 503"
    for failures, wait in enumerate(waits, start=1):
        nominal = timedelta(minutes=10) * 2**failures
        assert nominal * 0.89 <= wait <= nominal * 1.11

    server.add("/feed.xml", rss([]))
    ingestion.poll_feed(feed_id=feed.pk)
    feed.refresh_from_db()
    assert feed.is_healthy and feed.consecutive_failures == 0 and feed.last_error == ""
    assert feed.next_fetch_at - timezone.now() <= timedelta(minutes=11)


def test_due_feeds_and_rechecks_are_queued_once(server):
    due = FeedFactory(next_fetch_at=timezone.now() - timedelta(minutes=1))
    FeedFactory(next_fetch_at=timezone.now() + timedelta(minutes=5))
    FeedFactory(next_fetch_at=timezone.now() - timedelta(minutes=1), active=False)
    document = Document.objects.create(
        source=due.source,
        url="https://news.example.org/a",
        canonical_url="https://news.example.org/a",
        next_check_at=timezone.now() - timedelta(seconds=1),
        checks_done=2,
    )

    work = ingestion.take_due_work()
    assert work.feed_ids == [due.pk]
    assert work.rechecks == [(document.pk, 2)]
    again = ingestion.take_due_work()
    assert again.feed_ids == [] and again.rechecks == []


def test_scheduled_recheck_runs_once_and_moves_to_the_next_slot(server):
    document = ingested_page(server, "Scheduled")
    assert document.next_check_at == document.first_seen_at + timedelta(hours=1)
    Document.objects.filter(pk=document.pk).update(first_seen_at=timezone.now() - timedelta(hours=2))

    server.add("/a", article("Scheduled, updated", PARAGRAPHS))
    assert ingestion.recheck_document(document_id=document.pk, check_number=0).new_revision
    assert not ingestion.recheck_document(document_id=document.pk, check_number=0).claimed

    document.refresh_from_db()
    assert document.checks_done == 1
    assert document.next_check_at == document.first_seen_at + timedelta(hours=6)
    assert document.revisions.count() == 2


def test_add_feed_command_creates_the_source_and_detects_the_kind(server):
    atom = shared_data("feeds", "rss-parser", "feedburner.atom").read_bytes()
    url = server.add("/atom.xml", atom, content_type="application/atom+xml")
    out = io.StringIO()

    call_command("add_feed", "--source", "Kirkuk Now", url, stdout=out)

    feed = Feed.objects.get(url=url)
    assert feed.kind == Feed.Kind.ATOM
    assert feed.source.name == "Kirkuk Now"
    assert feed.source.kind == Source.Kind.NEWS_OUTLET
    assert "Kirkuk Now" in out.getvalue()


def test_add_feed_command_refuses_a_page_that_is_not_a_feed(server):
    url = server.add("/page.html", article("Not a feed", PARAGRAPHS))
    with pytest.raises(CommandError, match="not a feed"):
        call_command("add_feed", "--source", "Someone", url)
    assert not Feed.objects.exists()
    assert not Source.objects.exists()


def test_a_link_that_is_not_an_html_page_is_recorded_not_stored(server):
    pdf = server.add("/report.pdf", b"%PDF-1.4 not html", content_type="application/pdf")
    FeedFactory(url=server.add("/feed.xml", rss([(pdf, "A report")])))

    assert run_ingest().endswith("new documents: 0, new revisions: 0, errors: 1")

    entry = FeedEntry.objects.get(url=pdf)
    assert entry.state == FeedEntry.State.FAILED
    assert entry.last_error == "not an HTML page (content type application/pdf)"


def test_an_article_failing_transiently_is_given_up_after_its_attempts(server):
    busy = server.add("/busy", b"try later", status=503)
    entry_id = FeedEntryFactory(url=busy).pk

    outcomes = [ingestion.fetch_entry(entry_id=entry_id) for _ in range(FeedEntry.MAX_ATTEMPTS + 1)]

    assert [o.retry for o in outcomes[:-2]] == [True] * (FeedEntry.MAX_ATTEMPTS - 1)
    assert not outcomes[-2].retry  # the last attempt failed: no retry is asked for
    assert not outcomes[-1].claimed  # and the entry is not taken again
    entry = FeedEntry.objects.get(pk=entry_id)
    assert (entry.state, entry.attempts) == (FeedEntry.State.FAILED, FeedEntry.MAX_ATTEMPTS)
    assert entry.last_error == "the server answered HTTP 503"
    assert server.hits["/busy"] == FeedEntry.MAX_ATTEMPTS
