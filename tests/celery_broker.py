"""Pointing the Celery app at a real broker for one test, with eager mode off."""

import contextlib
import time

import kombu.pools

from claimtrack.celery import app

# The app reads Django settings under the CELERY_ namespace, so its keys carry the prefix.
KEYS = ("CELERY_BROKER_URL", "CELERY_BROKER_TRANSPORT_OPTIONS", "CELERY_TASK_ALWAYS_EAGER")


@contextlib.contextmanager
def broker(url, transport_options):
    saved = {key: app.conf[key] for key in KEYS}
    app.conf.update(
        CELERY_BROKER_URL=url, CELERY_BROKER_TRANSPORT_OPTIONS=transport_options, CELERY_TASK_ALWAYS_EAGER=False
    )
    forget_connections()
    assert app.conf.task_always_eager is False and app.conf.broker_url == url
    try:
        yield app
    finally:
        app.conf.update(saved)
        forget_connections()


def forget_connections():
    """Drop pooled connections so the next send connects to the configured broker afresh."""
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
