"""API keys from the command line: created hashed and shown once, revocable."""

import io

import pytest
from django.core.management import CommandError, call_command

from partners.models import Partner, PartnerAPIKey
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


def create_key(*args):
    out = io.StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_create_api_key_prints_a_working_key_as_its_last_line(claim):
    lines = create_key("--partner", "Rudaw", "--scope", "write")
    key = lines[-1]
    stored = PartnerAPIKey.objects.get()
    assert (stored.partner.name, stored.scope) == ("Rudaw", "write")
    assert key.startswith(stored.prefix + ".")
    assert key not in stored.hashed_key
    assert key_client(key).post_json("/api/v1/claims/", {"text": "Submitted by Rudaw"}).status_code == 201


def test_a_second_key_for_the_same_partner_reuses_the_partner(db):
    first = create_key("--partner", "Rudaw", "--scope", "read")[-1]
    second = create_key("--partner", "Rudaw", "--scope", "read")[-1]
    assert first != second
    assert Partner.objects.count() == 1
    assert PartnerAPIKey.objects.count() == 2


def test_read_scope_key_cannot_write(db):
    key = create_key("--partner", "Shafaq", "--scope", "read")[-1]
    assert key_client(key).post_json("/api/v1/claims/", {"text": "Nope"}).status_code == 403


def test_unknown_scope_is_refused(db):
    with pytest.raises(CommandError):
        create_key("--partner", "Shafaq", "--scope", "admin")
    assert not PartnerAPIKey.objects.exists()


def test_revoke_api_key_by_prefix(claim):
    key = create_key("--partner", "Rudaw", "--scope", "read")[-1]
    call_command("revoke_api_key", key.split(".")[0], stdout=io.StringIO())
    assert key_client(key).get("/api/v1/claims/").status_code == 401
    stored = PartnerAPIKey.objects.get()
    assert stored.revoked and stored.revoked_at is not None
