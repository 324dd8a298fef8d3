import pytest

from tests import factories


@pytest.fixture
def journalist(db):
    return factories.JournalistFactory(username="jo")


@pytest.fixture
def editor(db):
    return factories.EditorFactory(username="ed")


@pytest.fixture
def claim(db, journalist):
    return factories.make_claim(created_by=journalist)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Production hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
