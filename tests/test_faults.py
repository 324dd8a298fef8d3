"""Faults against real services: the broker goes away and comes back."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from celery.contrib.testing.worker import start_worker

from claims.models import Appearance, Claim, Stance
from claimtrack.celery import app
from outbox import services as outbox
from outbox.models import OutboxMessage
from tests.celery_broker import broker, wait_for
from tests.factories import JournalistFactory, SourceFactory, make_appearance, make_claim
from tests.pg_server import PostgresServer
from tests.redis_server import RedisServer, free_port

PROJECT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    with broker(server.url, {"visibility_timeout": 1200}):
        yield server
    server.stop()


def test_work_queued_while_redis_is_down_is_delivered_once_it_is_back(own_redis):
    claim = make_claim(created_by=JournalistFactory())
    own_redis.stop()

    # The newsroom keeps writing while the broker is down.
    make_appearance(claim=claim, source=SourceFactory(), stance=Stance.ASSERTS)
    make_appearance(claim=claim, source=SourceFactory(kind="official_body"), stance=Stance.DENIES)
    assert Appearance.objects.filter(claim=claim).count() == 2
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert unsent.count() == 2
    assert all(m.last_error for m in unsent)
    assert Claim.objects.get(pk=claim.pk).asserts_count == 0  # nothing ran yet

    # The same process, with the connections it had: it must recover by itself.
    own_redis.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        sent = outbox.sweep(older_than=timedelta(0))
        assert sent == 2, list(OutboxMessage.objects.values_list("last_error", "send_attempts"))
        assert wait_for(lambda: Claim.objects.filter(pk=claim.pk, asserts_count=1, denies_count=1).exists())
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


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
    }
    env.pop("REDIS_URL", None)
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
