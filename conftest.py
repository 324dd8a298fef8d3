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
