"""Partners' webhooks listen to what claims announces (claims/signals.py): each event is fanned out
to the webhooks by a Celery task queued through the outbox, once the claim's transaction commits.
Connected in PartnersConfig.ready."""

from outbox.services import enqueue_on_commit

from . import events


def queue_status_change_fan_out(sender, *, status_change_id: int, **kwargs) -> None:
    from .tasks import fan_out_event

    enqueue_on_commit(fan_out_event, events.STATUS_CHANGED, status_change_id)


def queue_verdict_fan_out(sender, *, verdict_id: int, **kwargs) -> None:
    from .tasks import fan_out_event

    enqueue_on_commit(fan_out_event, events.VERDICT_PUBLISHED, verdict_id)


def queue_claim_merge_fan_out(sender, *, claim_merge_id: int, **kwargs) -> None:
    from .tasks import fan_out_event

    enqueue_on_commit(fan_out_event, events.CLAIM_MERGED, claim_merge_id)


def queue_appearance_revised_fan_out(sender, *, appearance_id: int, **kwargs) -> None:
    from .tasks import fan_out_event

    enqueue_on_commit(fan_out_event, events.APPEARANCE_REVISED, appearance_id)
