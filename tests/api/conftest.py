import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from claims.models import Claim
from tests import factories


class APIClient(Client):
    """Django's test client speaking JSON."""

    def post_json(self, path, data, **extra):
        return self.post(path, data, content_type="application/json", **extra)


def key_client(plain_key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Api-Key {plain_key}")


@pytest.fixture
def demo_claim(db) -> Claim:
    call_command("loaddemo", stdout=io.StringIO())
    return Claim.objects.get(slug="iraq-federal-police-withdrew-from-kirkuk")


@pytest.fixture
def read_client(db):
    return key_client(factories.make_api_key("read")[1])


@pytest.fixture
def write_client(db):
    return key_client(factories.make_api_key("write")[1])


def session_client(username: str) -> APIClient:
    """A browser session of a demo user (loaddemo), with CSRF checks on as in a browser."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def api_schema(db, demo_claim, settings):
    """The API's OpenAPI schema loaded by schemathesis, served by the real WSGI application."""
    import schemathesis
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    settings.API_THROTTLE_RATES = {"read": "100000/min", "write": "100000/min", "session": "100000/min"}
    # Requests go through the real WSGI application; like Django's test client, keep it from
    # closing the test's database connection (and its transaction) at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
