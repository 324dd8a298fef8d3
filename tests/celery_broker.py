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


REDIS_TRANSPORT_OPTIONS = {"visibility_timeout": 1200}


@contextlib.contextmanager
def running_worker(url, transport_options):
    """A worker thread consuming from the broker at url. Only the start needs the broker settings:
    the worker keeps its own connection; the app's settings are restored right after."""
    from celery.contrib.testing.worker import start_worker

    worker = start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10)
    with broker(url, transport_options):
        worker.__enter__()
    try:
        yield
    finally:
        worker.__exit__(None, None, None)


@contextlib.contextmanager
def worker_process(env_overrides: dict, pool: str = "solo", concurrency: int = 1):
    """A real `celery worker` process on the test database, configured through the environment
    like a deployed one (REDIS_URL, or CLAIMTRACK_VAR_DIR for the filesystem broker). It leads its
    own process group, so `kill_worker` can kill it with its pool's children."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    database = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH"}}
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = database["NAME"]
    else:
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}"
            f":{database['PORT'] or 5432}/{database['NAME']}"
        )
    env.update(CELERY_TASK_ALWAYS_EAGER="0", DATABASE_CONN_MAX_AGE="0", **env_overrides)
    command = [sys.executable, "-m", "celery", "-A", "claimtrack", "worker", f"--pool={pool}", "--loglevel=WARNING"]
    command += [f"--concurrency={concurrency}", "--without-heartbeat", "--without-mingle", "--without-gossip"]
    process = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent, env=env, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill_worker(process)


def kill_worker(process):
    """SIGKILL the worker and every process of its group (a prefork pool's children too), as the
    kernel's OOM killer or a lost machine would: no shutdown, no acknowledgement, no cleanup."""
    import os
    import signal

    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
