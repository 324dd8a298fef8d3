import pytest

from tests import factories

# Three users, as Healthchecks' tests have theirs: a journalist, an editor, and an outsider (a
# signed-in account with no newsroom role), with a signed-in client for each.


@pytest.fixture
def journalist(db):
    return factories.JournalistFactory(username="jo")


@pytest.fixture
def editor(db):
    return factories.EditorFactory(username="ed")


@pytest.fixture
def outsider(db, django_user_model):
    return django_user_model.objects.create_user("otto", password="x-unused-password")


@pytest.fixture
def as_journalist(client, journalist):
    client.force_login(journalist)
    return client


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def as_outsider(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def claim(db, journalist):
    return factories.make_claim(created_by=journalist)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Production hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def api_responses_match_the_openapi_document(monkeypatch):
    """Every response Django's test client (and DRF's APIClient, built on it) receives under
    /api/v1/ is checked against the OpenAPI document (tests/openapi.py); a mismatch fails the test."""
    from django.test import Client

    from tests.openapi import check_django_response

    send = Client.request

    def request_and_check(self, **request):
        response = send(self, **request)
        check_django_response(response)
        return response

    monkeypatch.setattr(Client, "request", request_and_check)


@pytest.fixture(scope="session")
def _session_redis_worker(django_db_setup, django_db_blocker):
    # One worker on Redis for the whole run: Celery's in-process test worker does not fire ETA
    # (countdown) tasks when a second one is started in the same process.
    from tests.celery_broker import REDIS_TRANSPORT_OPTIONS, running_worker
    from tests.services import redis_url

    url = redis_url()
    with running_worker(url, REDIS_TRANSPORT_OPTIONS):
        yield url


@pytest.fixture
def redis_worker(_session_redis_worker):
    """A real Celery worker on Redis; tasks queued during the test are sent to it."""
    from tests.celery_broker import REDIS_TRANSPORT_OPTIONS, broker

    with broker(_session_redis_worker, REDIS_TRANSPORT_OPTIONS):
        yield


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of the test's own, which it may stop and start; the Celery app sends to it."""
    from tests.celery_broker import REDIS_TRANSPORT_OPTIONS, broker
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    with broker(server.url, REDIS_TRANSPORT_OPTIONS):
        yield server
    server.stop()


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request in Arabic leaves Arabic active in this thread (Django's LocaleMiddleware does not
    undo it; the next request sets its own): the next test starts in the default language."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
