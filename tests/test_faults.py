"""Faults against real services: the broker goes away and comes back."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker

from claims.models import Appearance, Claim, Stance
from claimtrack.celery import app
from outbox import services as outbox
from outbox.models import OutboxMessage
from tests.celery_broker import broker, wait_for
from tests.factories import JournalistFactory, SourceFactory, make_appearance, make_claim
from tests.redis_server import RedisServer

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
