"""Tasks the product uses run through a real Celery worker, on Redis and on the embedded broker."""

import pytest
from django.db import transaction

from claims.models import Claim, Stance
from claims.tasks import refresh_stance_counts
from outbox.services import enqueue_on_commit
from tests.celery_broker import broker, wait_for, worker_process
from tests.factories import JournalistFactory, SourceFactory, make_appearance, make_claim

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def record_two_voices():
    """A claim with two voices whose stance counts were lost, and their repair queued: the counts
    are computed in the writing transaction, so the task the worker runs is the repair."""
    claim = make_claim(created_by=JournalistFactory())
    make_appearance(claim=claim, source=SourceFactory(), stance=Stance.ASSERTS)
    make_appearance(claim=claim, source=SourceFactory(kind="official_body"), stance=Stance.DENIES)
    assert counts(claim.pk) == (1, 1)  # right at once, without a worker
    return queue_stance_count_repair(claim)


def queue_stance_count_repair(claim):
    Claim.objects.filter(pk=claim.pk).update(asserts_count=0, denies_count=0)
    with transaction.atomic():
        enqueue_on_commit(refresh_stance_counts, claim.pk)
    return claim


def counts(claim_id):
    claim = Claim.objects.get(pk=claim_id)
    return claim.asserts_count, claim.denies_count


def test_a_worker_on_redis_repairs_stance_counts(redis_worker):
    claim = record_two_voices()
    assert wait_for(lambda: counts(claim.pk) == (1, 1)), "the worker never refreshed the counts"


def test_a_worker_on_the_filesystem_broker_repairs_stance_counts(tmp_path):
    # The embedded default: web and worker share a folder of message files (CLAIMTRACK_VAR_DIR).
    queue = tmp_path / "celery" / "queue"
    options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(tmp_path / "celery" / "control"),
        "store_processed": False,
    }
    for folder in (queue, tmp_path / "celery" / "control"):
        folder.mkdir(parents=True)
    with broker("filesystem://", options), worker_process({"CLAIMTRACK_VAR_DIR": str(tmp_path)}):
        claim = record_two_voices()
        assert wait_for(lambda: counts(claim.pk) == (1, 1), timeout=30), "the worker never refreshed the counts"
