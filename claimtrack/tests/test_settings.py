"""Settings come from the environment; production mode refuses to start without a SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL.split(':')[0], s.SECRET_KEY, s.DEBUG)"
)


def run_django(env_overrides, code=PRINT_SETTINGS):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "claimtrack.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_mode_refuses_to_start_without_secret_key():
    result = run_django({"DEBUG": "0"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_manage_py_check_fails_in_production_mode_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-docker-secret\n")
    result = run_django({"DEBUG": "0", "SECRET_KEY_FILE": str(secret_file)})
    assert result.returncode == 0, result.stderr
    assert "from-a-docker-secret False" in result.stdout


def test_embedded_default_is_sqlite_and_a_serverless_broker():
    result = run_django({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    engine, broker = result.stdout.split()[:2]
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem"


def test_database_and_redis_urls_select_postgresql_and_redis():
    result = run_django(
        {
            "SECRET_KEY": "x",
            "DATABASE_URL": "postgres://u@db.internal:5432/claimtrack",
            "REDIS_URL": "redis://redis:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    engine, broker = result.stdout.split()[:2]
    assert engine == "django.db.backends.postgresql"
    assert broker == "redis"


def test_redis_visibility_timeout_exceeds_the_longest_task():
    result = run_django(
        {"SECRET_KEY": "x", "REDIS_URL": "redis://redis:6379/0"},
        code="import django; django.setup(); from django.conf import settings as s; "
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], s.CELERY_TASK_TIME_LIMIT, s.CELERY_TASK_SOFT_TIME_LIMIT)",
    )
    visibility, hard, soft = map(int, result.stdout.split())
    assert soft < hard < visibility


def test_a_claimreview_url_template_with_unknown_fields_or_no_http_scheme_is_refused_at_start():
    code = "import django; django.setup()"
    unknown = run_django({"SECRET_KEY": "x", "CLAIMTRACK_CLAIMREVIEW_URL": "https://news.example/{title}/"}, code)
    assert unknown.returncode != 0 and "CLAIMTRACK_CLAIMREVIEW_URL" in unknown.stderr
    not_http = run_django({"SECRET_KEY": "x", "CLAIMTRACK_CLAIMREVIEW_URL": "javascript:alert({id})"}, code)
    assert not_http.returncode != 0 and "http(s)" in not_http.stderr
    attribute = run_django({"SECRET_KEY": "x", "CLAIMTRACK_CLAIMREVIEW_URL": "https://news.example/{slug.x}/"}, code)
    assert attribute.returncode != 0 and "CLAIMTRACK_CLAIMREVIEW_URL" in attribute.stderr
    good = run_django({"SECRET_KEY": "x", "CLAIMTRACK_CLAIMREVIEW_URL": "HTTPS://news.example/{slug}-{id}/"}, code)
    assert good.returncode == 0, good.stderr


def test_manage_py_check_refuses_to_start_with_a_typo_in_a_yes_no_variable():
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env["DEBUG"] = "ture"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "DEBUG='ture' is not a yes/no value" in result.stderr


def test_a_number_setting_given_a_word_refuses_to_start_naming_the_variable():
    result = run_django({"SECRET_KEY": "x", "AXES_FAILURE_LIMIT": "five"}, code="import django; django.setup()")
    assert result.returncode != 0
    assert "AXES_FAILURE_LIMIT='five' is not a whole number" in result.stderr


def test_documented_spellings_and_numbers_are_read():
    result = run_django(
        {"SECRET_KEY": "x", "DEBUG": "Yes", "AXES_ENABLED": "off", "AXES_FAILURE_LIMIT": "3", "FETCH_TIMEOUT": "2.5"},
        code="import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.AXES_ENABLED, s.AXES_FAILURE_LIMIT, s.FETCH_TIMEOUT)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "3", "2.5"]


def test_defaults_without_variables_and_the_lease_outlives_celerys_task_time_limit():
    result = run_django(
        {"SECRET_KEY": "x", "REDIS_URL": "redis://redis:6379/0"},
        code="import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.AXES_ENABLED, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.seconds, s.SESSION_COOKIE_AGE, "
        "s.WEBHOOK_RETRY_MAX_SECONDS, s.FETCH_TIMEOUT, s.FETCH_MAX_BYTES, s.CELERY_TASK_TIME_LIMIT, "
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], s.INGEST_LEASE_SECONDS)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False", "True", "5", "900", "7200", "900.0", "30.0", str(5 * 1024 * 1024), "300", "1200", "360.0"
    ]  # fmt: skip


PRINT_DATABASE_OPTIONS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "o = s.DATABASES['default']['OPTIONS']; "
    "print(s.DATABASES['default']['ENGINE'], o.get('transaction_mode'), o.get('timeout'), o.get('init_command'))"
)


def test_a_sqlite_database_url_keeps_the_options_that_make_concurrent_writes_work(tmp_path):
    result = run_django(
        {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'claimtrack.sqlite3'}"}, code=PRINT_DATABASE_OPTIONS
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["django.db.backends.sqlite3", "IMMEDIATE", "20"]
    assert "journal_mode=WAL" in result.stdout


def test_the_embedded_sqlite_default_has_the_same_options():
    result = run_django({"DEBUG": "1"}, code=PRINT_DATABASE_OPTIONS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["django.db.backends.sqlite3", "IMMEDIATE", "20"]
    assert "journal_mode=WAL" in result.stdout
