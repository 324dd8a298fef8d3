"""Faults against real services: the broker goes away and comes back, a worker is killed, the
database restarts."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.db import transaction

from claims.models import Appearance, Claim, Notification, Stance
from claims.tasks import refresh_stance_counts
from outbox import services as outbox
from outbox.models import OutboxMessage
from outbox.services import enqueue_on_commit
from sources import tasks
from sources.models import Document, DocumentRevision, FeedEntry
from tests.celery_broker import REDIS_TRANSPORT_OPTIONS, broker, kill_worker, wait_for, worker_process
from tests.factories import FeedFactory, JournalistFactory, SourceFactory, make_appearance, make_claim
from tests.httpserver import LoopbackServer, slowly
from tests.pg_server import PostgresServer
from tests.redis_server import RedisServer, free_port

PROJECT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.once]


def test_work_queued_while_redis_is_down_is_delivered_once_it_is_back(own_redis):
    claim = make_claim(created_by=JournalistFactory())
    own_redis.stop()

    # The newsroom keeps writing while the broker is down (the stance counts are computed as it
    # writes); the work it queues waits: the notification of the official denial to the claim's
    # follower (who logged it), and here two repairs of counts that were lost.
    make_appearance(claim=claim, source=SourceFactory(), stance=Stance.ASSERTS)
    make_appearance(claim=claim, source=SourceFactory(kind="official_body"), stance=Stance.DENIES)
    assert Appearance.objects.filter(claim=claim).count() == 2
    assert Claim.objects.filter(pk=claim.pk, asserts_count=1, denies_count=1).exists()
    Claim.objects.filter(pk=claim.pk).update(asserts_count=0, denies_count=0)
    for _repair in range(2):
        with transaction.atomic():
            enqueue_on_commit(refresh_stance_counts, claim.pk)
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert sorted(unsent.values_list("task_name", flat=True)) == [
        "claims.tasks.create_notifications",
        "claims.tasks.refresh_stance_counts",
        "claims.tasks.refresh_stance_counts",
    ]
    assert all(m.last_error for m in unsent)
    assert Claim.objects.get(pk=claim.pk).asserts_count == 0  # nothing ran yet
    assert not Notification.objects.exists()

    # The same process, with the connections it had: it must recover by itself.
    own_redis.start()
    with worker_process({"REDIS_URL": own_redis.url}):
        sent = outbox.sweep(older_than=timedelta(0))
        assert sent == 3, list(OutboxMessage.objects.values_list("last_error", "send_attempts"))
        assert wait_for(lambda: Claim.objects.filter(pk=claim.pk, asserts_count=1, denies_count=1).exists())
        assert wait_for(lambda: Notification.objects.filter(recipient=claim.created_by, claim=claim).exists())
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


ARTICLES = 8
SECONDS_PER_ARTICLE = 1.5


def test_worker_killed_mid_ingest_stores_every_document_exactly_once(tmp_path):
    from tests.web_pages import PARAGRAPHS, article, rss

    redis_server = RedisServer(tmp_path)  # a fresh queue: no other test's worker consumes it
    redis_server.start()
    # Workers configured like deployed ones, except that a claim's lease and the wait before a
    # pending entry counts as lost are seconds, not the production 6 and 15 minutes.
    worker_env = {
        "REDIS_URL": redis_server.url,
        "FETCH_ALLOWED_NETWORKS": "127.0.0.1/32",
        "FETCH_HOST_INTERVAL": "0",
        "INGEST_LEASE_SECONDS": "4",
        "INGEST_STALE_PENDING_SECONDS": "1",
    }
    try:
        with LoopbackServer() as server, broker(redis_server.url, REDIS_TRANSPORT_OPTIONS):
            pages = [
                server.add_handler(f"/story-{n}", slowly(article(f"Story {n}", PARAGRAPHS), SECONDS_PER_ARTICLE))
                for n in range(ARTICLES)
            ]
            feed = FeedFactory(url=server.add("/feed.xml", rss([(page, f"Story {n}") for n, page in enumerate(pages)])))
            in_progress = FeedEntry.objects.filter(state=FeedEntry.State.PENDING, lease_until__isnull=False)

            def path(url):
                return url.removeprefix(server.url(""))

            def some_stored_and_one_half_fetched():
                fetching = in_progress.values_list("url", flat=True)
                return Document.objects.count() >= 2 and any(server.hits[path(url)] for url in fetching)

            with worker_process(worker_env, pool="prefork", concurrency=2) as doomed:
                tasks.poll_feed.delay(feed.pk)
                assert wait_for(some_stored_and_one_half_fetched, timeout=30), "the first worker never got going"
                kill_worker(doomed)

            assert doomed.returncode == -signal.SIGKILL
            killed_mid_work = set(in_progress.values_list("url", flat=True))
            stored_at_kill = set(Document.objects.values_list("url", flat=True))
            hits_at_kill = {page: server.hits[path(page)] for page in pages}
            assert killed_mid_work
            assert 0 < len(stored_at_kill) < ARTICLES

            with worker_process(worker_env):
                # Beat's part (every minute in production): queue whatever is due or was lost.
                deadline = time.monotonic() + 40
                while FeedEntry.objects.exclude(state=FeedEntry.State.DONE).exists() and time.monotonic() < deadline:
                    tasks.enqueue_due_work.delay()
                    time.sleep(1)
    finally:
        redis_server.stop()

    entries = FeedEntry.objects.filter(feed=feed)
    assert sorted(entries.values_list("state", flat=True)) == [FeedEntry.State.DONE] * ARTICLES, list(
        entries.values_list("url", "state", "last_error")
    )
    assert sorted(Document.objects.values_list("url", flat=True)) == sorted(pages)  # none lost, none twice
    for document in Document.objects.all():
        assert DocumentRevision.objects.filter(document=document).count() == 1, document.url
        assert entries.get(document=document).url == document.url
    assert all(entries.get(url=url).attempts == 2 for url in killed_mid_work)
    # After the restart every article not yet stored was fetched exactly once more, the others never.
    for page in pages:
        fetched_again = server.hits[path(page)] - hits_at_kill[page]
        assert fetched_again == (0 if page in stored_at_kill else 1), page


@pytest.fixture
def own_postgres():
    server = PostgresServer()
    server.init()
    yield server
    server.stop()


def test_web_process_keeps_serving_after_postgresql_restarts(own_postgres, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": own_postgres.url,
        "DEBUG": "0",
        "SECRET_KEY": "fault-test-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "STATIC_MANIFEST": "0",
        # As in production: persistent connections (the suite closes them after each request),
        # so there is a connection for the restart to kill; tasks queued, not run in the web process.
        "DATABASE_CONN_MAX_AGE": "60",
    }
    env.pop("REDIS_URL", None)
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input"], cwd=PROJECT, env=env, check=True, capture_output=True)
    demo = subprocess.run([*manage, "loaddemo"], cwd=PROJECT, env=env, check=True, capture_output=True, text=True)
    password = next(line.split()[-1] for line in demo.stdout.splitlines() if line.strip().startswith("journalist"))

    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "claimtrack.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as browser:
            assert wait_for(lambda: _answers(browser)), "gunicorn did not start"
            login(browser, "journalist", password)
            assert "Kirkuk" in browser.get("/claims/").text

            own_postgres.restart()

            # The persistent connection died with the server: the next requests must still work.
            assert browser.get("/healthz").status_code == 200
            assert "Kirkuk" in browser.get("/claims/").text
            browser.post("/accounts/logout/", data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]})
            login(browser, "journalist", password)  # a write: a new session row
            assert browser.get("/claims/").status_code == 200
    finally:
        web.terminate()
        web.wait(timeout=10)


def _answers(browser):
    try:
        return browser.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


def login(browser, username, password):
    browser.get("/accounts/login/")
    response = browser.post(
        "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
    )
    assert response.status_code == 302, response.text[:500]
