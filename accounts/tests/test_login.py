"""Logging in and out, and django-axes' rate limit per account and per address."""

import pytest
from django.test import override_settings

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # tests.factories.UserFactory's password


def attempt(client, username, password, address):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_journalist_logs_in_and_out(client, journalist):
    response = attempt(client, "jo", PASSWORD, "10.0.0.1")
    assert response.status_code == 302 and response["Location"] == "/claims/"
    assert client.get("/claims/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/claims/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, journalist):
    response = attempt(client, "jo", "wrong", "10.0.0.1")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_an_account_is_locked_after_repeated_failures_from_any_address(client, journalist):
    for n in range(3):
        attempt(client, "jo", "wrong", f"10.0.0.{n + 1}")
    # Even the right password, from a fresh address, is refused while the account is locked.
    response = attempt(client, "jo", PASSWORD, "10.0.9.9")
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    # Another account is not affected.
    factories.JournalistFactory(username="sam")
    assert attempt(client, "sam", PASSWORD, "10.0.9.9").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_an_address_is_locked_after_guessing_several_accounts(client, journalist):
    for name in ("alice", "bob", "carol"):
        attempt(client, name, "guess", "192.0.2.7")
    assert attempt(client, "jo", PASSWORD, "192.0.2.7").status_code == 429
    assert attempt(client, "jo", PASSWORD, "192.0.2.8").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_successful_login_resets_the_failure_count(client, journalist):
    attempt(client, "jo", "wrong", "10.0.0.1")
    attempt(client, "jo", "wrong", "10.0.0.1")
    assert attempt(client, "jo", PASSWORD, "10.0.0.1").status_code == 302
    client.post("/accounts/logout/")
    attempt(client, "jo", "wrong", "10.0.0.1")
    attempt(client, "jo", "wrong", "10.0.0.1")
    assert attempt(client, "jo", PASSWORD, "10.0.0.1").status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_address_is_rate_limited(rf):
    from claimtrack.middleware import client_ip_address

    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    # The proxy appended the real client; the entry left of it is the client's own claim.
    assert client_ip_address(request) == "203.0.113.5"
