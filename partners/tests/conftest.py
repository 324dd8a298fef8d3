import pytest

from tests.httpserver import LoopbackServer


@pytest.fixture
def receiver():
    """A partner's webhook receiver: a real HTTP server on loopback."""
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def loopback_allowed(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
