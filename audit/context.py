"""Who is acting, and through which channel, for the audit trail.

The web middleware, the API's key authentication and the Celery worker set it; every historical
record written while it is set carries it. The user, when there is one, is recorded by
django-simple-history itself (from the request, or `instance._history_user`).
"""

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass


class Channel:
    WEB = "web"
    API = "api"
    ADMIN = "admin"
    WORKER = "worker"
    SYSTEM = "system"  # management commands, migrations, shell

    choices = [(WEB, "web"), (API, "api"), (ADMIN, "admin"), (WORKER, "worker"), (SYSTEM, "system")]


@dataclass(frozen=True)
class Actor:
    channel: str = Channel.SYSTEM
    label: str = ""  # e.g. "partner key abc123 (Rudaw)" or "task sources.tasks.poll_feed"


NOBODY_IN_PARTICULAR = Actor()
_current: ContextVar[Actor | None] = ContextVar("claimtrack_actor", default=None)


def current_actor() -> Actor:
    return _current.get() or NOBODY_IN_PARTICULAR


@contextlib.contextmanager
def acting_as(channel: str, label: str = ""):
    token = _current.set(Actor(channel=channel, label=label))
    try:
        yield
    finally:
        _current.reset(token)


def name_actor(label: str) -> None:
    """Name the actor of the current request (e.g. the partner key an API request authenticated with)."""
    _current.set(Actor(channel=current_actor().channel, label=label[:200]))
