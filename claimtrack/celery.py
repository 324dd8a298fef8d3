"""The Celery application. Configuration lives in settings.py under the CELERY_ prefix."""

import logging
import os
from pathlib import Path

from celery import Celery
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtrack.settings")

logger = logging.getLogger(__name__)

app = Celery("claimtrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def create_filesystem_queue_folders(sender, **kwargs):
    # kombu's filesystem transport expects its folders to exist.
    if str(sender.conf.broker_url).startswith("filesystem"):
        options = sender.conf.broker_transport_options
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


def enqueue_on_commit(task, *args, **kwargs):
    """Queue the task once the current transaction commits (immediately outside one), so the worker
    sees what was written. The request that wrote the data never fails because the broker is down:
    the failure is logged and the work can be redone (tasks here are recomputations)."""

    def send():
        try:
            task.apply_async(
                args=args, kwargs=kwargs, retry=True, retry_policy={"max_retries": 2, "interval_start": 0.2}
            )
        except Exception:  # the broker is unreachable; the data is already committed
            logger.exception("Could not queue %s%r", task.name, args)

    transaction.on_commit(send)
