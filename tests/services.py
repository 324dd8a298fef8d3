"""Finding the real services tests need. A test that needs one and cannot reach it is skipped, or
fails when CLAIMTRACK_REQUIRE_SERVICES=1 (as in CI), so CI never goes green by skipping."""

import os
import shutil

import pytest

REQUIRE_SERVICES = os.environ.get("CLAIMTRACK_REQUIRE_SERVICES") == "1"
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def unavailable(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (CLAIMTRACK_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(reason)


def require_stance_model():
    """The shipped stance model; LightGBM needs the system's OpenMP runtime (Debian: libgomp1),
    which `.ci/run` installs but a bare Python machine may lack."""
    import ctypes.util

    from stance.classifier import load_model

    if ctypes.util.find_library("gomp") is None:
        unavailable("the OpenMP runtime LightGBM needs (libgomp1) is not installed")
    model = load_model()
    assert model is not None, "the stance model ships in stance/model/"
    return model


def redis_url() -> str:
    """A reachable Redis for the test: REDIS_URL, else a local one on database 15."""
    import redis

    url = os.environ.get("REDIS_URL") or DEFAULT_TEST_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        unavailable(f"Redis is not reachable at {url}: {error}")
    return url


def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM
