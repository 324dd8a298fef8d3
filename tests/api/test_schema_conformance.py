"""schemathesis against /api/v1/schema/: generated requests to every operation never get a 5xx, and
every response matches the schema (status code documented, content type, body)."""

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.openapi import matches_the_openapi_document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    matches_the_openapi_document,
]


@pytest.fixture
def write_key(db):
    return factories.make_api_key("write")[1]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.exclude(path="/api/v1/webhooks/", method="POST").parametrize()
@hypothesis_settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_fails_and_matches_its_schema(case, write_key):
    case.call_and_validate(headers={"Authorization": f"Api-Key {write_key}"}, checks=CHECKS)
