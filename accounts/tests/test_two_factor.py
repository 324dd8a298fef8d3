"""Editors and administrators can turn on TOTP two-factor login; then a password is not enough."""

import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def current_code(device, steps_ahead=0):
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + steps_ahead)
    return f"{code:06d}"


def turn_on_two_factor(client, user):
    client.force_login(user)
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/two-factor/", {"token": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    client.post("/accounts/logout/")
    return device


def test_editor_turns_on_two_factor_and_then_needs_a_code_after_the_password(client, editor):
    device = turn_on_two_factor(client, editor)

    client.post("/accounts/login/", {"username": editor.username, "password": PASSWORD})
    blocked = client.get("/claims/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/accounts/verify/")

    wrong = client.post("/accounts/verify/", {"token": "000000", "next": "/claims/"})
    assert "not right" in wrong.content.decode()
    assert client.get("/claims/").status_code == 302

    # django-otp refuses a code it already accepted (at setup), and accepts the next one (clock
    # tolerance of one step): the app's next code logs in.
    # After a wrong code django-otp throttles verification for a second (doubling each time).
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    time.sleep(1.1)
    response = client.post("/accounts/verify/", {"token": current_code(device, steps_ahead=1), "next": "/claims/"})
    assert response.status_code == 302 and response["Location"] == "/claims/"
    assert client.get("/claims/").status_code == 200


def test_a_wrong_code_does_not_turn_two_factor_on(client, editor):
    client.force_login(editor)
    client.get("/accounts/two-factor/")
    response = client.post("/accounts/two-factor/", {"token": "123456"})
    assert "not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


def test_journalists_are_not_offered_two_factor(client, journalist):
    client.force_login(journalist)
    assert client.get("/accounts/two-factor/").status_code == 403


def test_the_api_answers_json_until_the_second_factor_is_entered(client, editor):
    turn_on_two_factor(client, editor)
    client.post("/accounts/login/", {"username": editor.username, "password": PASSWORD})
    response = client.get("/api/v1/claims/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_factor_required"


def test_turning_on_two_factor_ends_the_users_other_sessions_and_keeps_this_one(client, editor, journalist):
    from django.test import Client

    elsewhere, colleague = Client(), Client()
    elsewhere.force_login(editor)  # e.g. a session opened with a stolen password
    colleague.force_login(journalist)
    assert elsewhere.get("/claims/").status_code == 200
    client.force_login(editor)
    key_before = client.session.session_key
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert client.post("/accounts/two-factor/", {"token": current_code(device)}).status_code == 302

    assert client.session.session_key != key_before  # rotated
    assert client.get("/claims/").status_code == 200  # still signed in, verified
    ended = elsewhere.get("/claims/")
    assert ended.status_code == 302 and ended["Location"].startswith("/accounts/login/")
    assert colleague.get("/claims/").status_code == 200  # other users keep their sessions
