"""Tasks the product uses run through a real Celery worker, on Redis and on the embedded broker."""

import contextlib

import pytest
from celery.contrib.testing.worker import start_worker

from claims.models import Claim, Stance
from claimtrack.celery import app
from tests.celery_broker import broker, wait_for
from tests.factories import JournalistFactory, SourceFactory, make_appearance, make_claim
from tests.services import redis_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


@pytest.fixture
def worker_on():
    """Start an in-process worker (its own thread, its own DB connection) on the given broker."""
    with contextlib.ExitStack() as stack:

        def start(broker_url, transport_options):
            stack.enter_context(broker(broker_url, transport_options))
            stack.enter_context(start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10))

        yield start


def record_two_voices():
    claim = make_claim(created_by=JournalistFactory())
    make_appearance(claim=claim, source=SourceFactory(), stance=Stance.ASSERTS)
    make_appearance(claim=claim, source=SourceFactory(kind="official_body"), stance=Stance.DENIES)
    return claim


def counts(claim_id):
    claim = Claim.objects.get(pk=claim_id)
    return claim.asserts_count, claim.denies_count


def test_recording_an_appearance_refreshes_stance_counts_through_a_worker_on_redis(worker_on):
    worker_on(redis_url(), {"visibility_timeout": 1200})
    claim = record_two_voices()
    assert wait_for(lambda: counts(claim.pk) == (1, 1)), "the worker never refreshed the counts"


def test_recording_an_appearance_refreshes_stance_counts_through_a_worker_on_the_filesystem_broker(worker_on, tmp_path):
    folder = str(tmp_path / "queue")
    (tmp_path / "queue").mkdir()
    (tmp_path / "control").mkdir()
    worker_on(
        "filesystem://",
        {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "control_folder": str(tmp_path / "control"),
            "store_processed": False,
        },
    )
    claim = record_two_voices()
    assert wait_for(lambda: counts(claim.pk) == (1, 1)), "the worker never refreshed the counts"
