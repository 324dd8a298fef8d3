from datetime import timedelta

import pytest
from django.db import transaction

from claims.tasks import refresh_stance_counts
from outbox import services
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_queued_task_is_recorded_and_marked_sent_after_commit(claim, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.enqueue_on_commit(refresh_stance_counts, claim.pk)
    message.refresh_from_db()
    assert message.task_name == "claims.tasks.refresh_stance_counts"
    assert message.args == [claim.pk]
    assert message.sent_at is not None


def test_task_queued_in_a_rolled_back_transaction_is_not_kept(claim):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enqueue_on_commit(refresh_stance_counts, claim.pk)
        raise RuntimeError("the write failed")
    assert not OutboxMessage.objects.exists()


def test_sweep_sends_only_unsent_messages_past_the_grace_period(claim):
    old = OutboxMessage.objects.create(task_name=refresh_stance_counts.name, args=[claim.pk])
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(minutes=5))
    young = OutboxMessage.objects.create(task_name=refresh_stance_counts.name, args=[claim.pk])
    assert services.sweep() == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.sent_at is not None
    assert young.sent_at is None
    assert services.sweep() == 0
