"""Deployment hardening: production checks, headers, error pages, sessions."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

PROJECT = Path(__file__).resolve().parent.parent


def test_deploy_check_with_production_settings_reports_no_issue():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "STATIC_MANIFEST"}}
    env.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="claims.example.org")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_script(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_unknown_address_gets_the_custom_404_page(client, journalist):
    client.force_login(journalist)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_server_error_page_shows_no_details():
    response = server_error(RequestFactory().get("/claims/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in body
    assert "Traceback" not in body


@pytest.mark.django_db
def test_login_rotates_the_session_and_logout_ends_it(client, journalist):
    client.get("/accounts/login/")
    client.session["probe"] = 1
    anonymous_key = client.session.session_key
    assert anonymous_key
    client.post("/accounts/login/", {"username": journalist.username, "password": "correct-horse-battery-staple"})
    logged_in_key = client.session.session_key
    assert "_auth_user_id" in client.session
    assert logged_in_key != anonymous_key
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    assert client.get("/claims/").status_code == 302


@pytest.mark.django_db
def test_sessions_expire_when_idle_and_activity_keeps_them_alive(client, journalist, settings):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(journalist)
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get("/claims/").status_code == 200
    # Each request pushes the expiry a full idle period forward.
    renewed = Session.objects.get(pk=session.pk).expire_date
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60

    # Idle past the timeout: the session is over.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/claims/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_evidence_files_are_served_as_inert_attachments_of_their_recorded_type(client, claim, journalist):
    from tests.factories import PDF_BYTES, make_evidence

    evidence = make_evidence(claim=claim, content=PDF_BYTES, content_type="application/pdf", uploaded_by=journalist)
    url = f"/claims/evidence/{evidence.pk}/file/"
    assert client.get(url).status_code == 302  # signed-in users only
    client.force_login(journalist)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="{evidence.sha256}"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF_BYTES
