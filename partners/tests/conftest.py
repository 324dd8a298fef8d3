import pytest

from tests.httpserver import LoopbackServer


@pytest.fixture
def receiver(settings):
    """A partner's webhook receiver: a real HTTP server on loopback, on a port of its own (which
    webhooks may use only with WEBHOOK_ANY_PORT_ON_ALLOWED_NETWORKS)."""
    settings.WEBHOOK_ANY_PORT_ON_ALLOWED_NETWORKS = True
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def loopback_allowed(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
