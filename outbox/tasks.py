from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    # Run by beat; also called directly by whoever wants queued work sent now.
    services.prune_sent()
    return services.sweep()
