"""Ingestion through a real Celery worker, and the per-host politeness limit on real Redis."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from claimtrack import politeness
from outbox.services import enqueue_on_commit
from sources import tasks
from sources.models import Document, FeedEntry
from tests.celery_broker import wait_for
from tests.factories import FeedFactory
from tests.httpserver import LoopbackServer
from tests.services import redis_url
from tests.web_pages import PARAGRAPHS, article, rss


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_beat_task_polls_due_feeds_and_a_worker_on_redis_stores_their_articles(redis_worker, settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    cache.clear()
    with LoopbackServer() as server:
        pages = [server.add(f"/a{n}", article(f"Story {n}", PARAGRAPHS)) for n in range(3)]
        FeedFactory(url=server.add("/feed.xml", rss([(page, "s") for page in pages])), next_fetch_at=timezone.now())

        with transaction.atomic():
            enqueue_on_commit(tasks.enqueue_due_work)

        assert wait_for(lambda: Document.objects.count() == 3), "the worker never stored the articles"
        assert wait_for(lambda: not FeedEntry.objects.exclude(state=FeedEntry.State.DONE).exists())
        # Queued again (a duplicate message): nothing new is stored. The worker (solo pool) runs
        # tasks in the order they were queued, so once a feed poll queued after the duplicates has
        # reached the server, the duplicates have all been handled.
        for entry_id in FeedEntry.objects.values_list("id", flat=True):
            tasks.fetch_entry.delay(entry_id)
        polls = server.hits["/feed.xml"]
        tasks.poll_feed.delay(FeedEntry.objects.values_list("feed_id", flat=True).first())
        assert wait_for(lambda: server.hits["/feed.xml"] == polls + 1), "the worker never ran the marker poll"
    assert Document.objects.count() == 3
    assert server.hits["/a0"] == 1


def _spacing(host, callers=3):
    returned = []

    def call():
        politeness.wait_for_turn(host)
        returned.append(time.monotonic())

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    returned.sort()
    return [later - earlier for earlier, later in zip(returned, returned[1:], strict=False)]


@pytest.mark.services
def test_requests_to_one_host_are_spaced_across_workers_through_redis(settings):
    settings.REDIS_URL = redis_url()
    settings.FETCH_HOST_INTERVAL = 0.3
    host = f"spaced-{time.time_ns()}.example.org"

    gaps = _spacing(host)

    assert all(gap >= 0.25 for gap in gaps), gaps
    client = politeness._redis_client(settings.REDIS_URL)
    assert client.pttl(f"claimtrack:politeness:{host}") > 0
    with pytest.raises(politeness.HostBusy):
        politeness.wait_for_turn(host, max_wait=0.01)
    started = time.monotonic()
    politeness.wait_for_turn(f"other-{host}")  # another host is not held back
    assert time.monotonic() - started < 0.2


def test_without_redis_requests_to_one_host_are_spaced_within_the_process(settings):
    settings.REDIS_URL = None
    settings.FETCH_HOST_INTERVAL = 0.3
    gaps = _spacing(f"local-{time.time_ns()}.example.org")
    assert all(gap >= 0.25 for gap in gaps), gaps


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_a_worker_retries_transient_failures_with_backoff_and_not_permanent_ones(redis_worker, settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    settings.INGEST_RETRY_BASE_SECONDS = 0.2
    cache.clear()
    answers = iter([503, 503])

    def flaky(request):
        status = next(answers, 200)
        body = article("Back again", PARAGRAPHS) if status == 200 else b"busy"
        request.send_response(status)
        request.send_header("Content-Type", "text/html")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    with LoopbackServer() as server:
        flaky_url = server.add_handler("/flaky", flaky)
        gone_url = server.add("/gone", b"no", status=404)
        feed = FeedFactory(url=server.add("/feed.xml", rss([(flaky_url, "f"), (gone_url, "g")])))

        with transaction.atomic():
            enqueue_on_commit(tasks.poll_feed, feed.pk)

        assert wait_for(lambda: Document.objects.filter(url=flaky_url).exists()), "never retried to success"
        assert wait_for(lambda: FeedEntry.objects.filter(url=gone_url, state=FeedEntry.State.FAILED).exists())
    assert FeedEntry.objects.get(url=flaky_url).attempts == 3
    assert server.hits["/flaky"] == 3
    assert server.hits["/gone"] == 1  # a 404 is not retried
    assert FeedEntry.objects.get(url=gone_url).last_error == "the server answered HTTP 404"


def test_retry_backoff_grows_exponentially_and_is_capped(settings):
    settings.INGEST_RETRY_BASE_SECONDS = 30
    settings.INGEST_RETRY_CAP_SECONDS = 1800
    assert all(15 <= tasks.retry_countdown(0) <= 30 for _ in range(50))
    assert all(15 <= tasks.retry_countdown(3) <= 240 for _ in range(50))
    assert all(tasks.retry_countdown(20) <= 1800 for _ in range(50))
