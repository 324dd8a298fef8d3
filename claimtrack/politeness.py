"""A per-host politeness limit shared by every worker: at most one request to a host per
FETCH_HOST_INTERVAL seconds. With Redis (REDIS_URL) the limit holds across processes and machines
(a key per host, set only if absent, expiring after the interval); without it, within this process.
If Redis is unreachable the local limit is used rather than stopping ingestion."""

import logging
import random
import threading
import time
from functools import lru_cache

from django.conf import settings

logger = logging.getLogger(__name__)

_local_lock = threading.Lock()
_local_next_turn: dict[str, float] = {}


class HostBusy(Exception):
    """The host's turn did not come within the allowed wait."""


@lru_cache(maxsize=4)
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _wait_local(host: str, interval: float, max_wait: float | None) -> None:
    with _local_lock:
        now = time.monotonic()
        turn = max(now, _local_next_turn.get(host, 0.0))
        wait = turn - now
        if max_wait is not None and wait > max_wait:
            raise HostBusy(f"{host} is busy for another {wait:.1f} s")
        _local_next_turn[host] = turn + interval
    if wait > 0:
        time.sleep(wait)


def _wait_redis(client, host: str, interval: float, max_wait: float | None) -> None:
    key = f"claimtrack:politeness:{host}"
    waited = 0.0
    while not client.set(key, "1", nx=True, px=max(1, int(interval * 1000))):
        left_ms = client.pttl(key)
        pause = (left_ms if left_ms and left_ms > 0 else 10) / 1000 + random.uniform(0, 0.02)
        if max_wait is not None and waited + pause > max_wait:
            raise HostBusy(f"{host} is busy for another {pause:.1f} s")
        time.sleep(pause)
        waited += pause


def wait_for_turn(host: str, *, max_wait: float | None = None) -> None:
    """Block until a request to this host is allowed; raise HostBusy if that is beyond max_wait."""
    interval = float(settings.FETCH_HOST_INTERVAL)
    if interval <= 0 or not host:
        return
    host = host.lower()
    if settings.REDIS_URL:
        try:
            _wait_redis(_redis_client(settings.REDIS_URL), host, interval, max_wait)
            return
        except HostBusy:
            raise
        except Exception as error:  # Redis down: keep fetching, politely within this process
            logger.warning("politeness limit falls back to this process: %s", error)
    _wait_local(host, interval, max_wait)
