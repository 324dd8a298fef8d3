import io

import pytest
from django.core.management import call_command
from django.test import Client

from claims.demo import demo_password
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
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username=username, password=demo_password(username))
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo users' passwords are hashed on every load; the real hasher's cost is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
