"""Settings come from the environment; a bad value stops start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "kV9#qL2!xR7@pZ4$wM8^tB1&nC6*hF3(jD5)yG0_sA-eU+iO=Wq7%Lz",
    "ALLOWED_HOSTS": "mail.example.com",
    "HTTPS": "1",
    "EMAIL_HOST": "smtp.example.com",
}


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, *code.split()] if code.startswith("manage.py") else [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "core.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_values():
    result = run("manage.py check --deploy --fail-level WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "0", "SECRET_KEY": ""}, "SECRET_KEY is required when DEBUG is off"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT='twenty-five' is not a whole number"),
        ({"EMAIL_TIMEOUT": "-1"}, "EMAIL_TIMEOUT=-1.0 must be at least 0.1"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE='Mars/Olympus' is not an IANA time zone"),
        ({"DATABASE_URL": "mysql://localhost/db"}, "DATABASE_URL must be a sqlite:// or postgres:// URL"),
        ({"REDIS_URL": "http://localhost"}, "REDIS_URL must be a redis://"),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive"),
        ({"LANGUAGE_CODE": "xx"}, "LANGUAGE_CODE='xx' is not one of en, ru"),
        ({"BOUNCE_ADDRESS": "bounces@example.com"}, "must be an address with one {token} in its local part"),
        ({"BOUNCE_ADDRESS": "bounces+x@{token}.example.com"}, "must be an address with one {token}"),
        ({"BOUNCE_MAILBOX": "pop3://u:p@mail.example.com"}, "BOUNCE_MAILBOX must be imaps://"),
        ({"BOUNCE_MAILBOX": "imaps://mail.example.com/INBOX"}, "BOUNCE_MAILBOX must be imaps://"),
    ],
)
def test_bad_value_fails_loudly(env, message):
    result = run("import django; django.setup()", **{**PRODUCTION, **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_debug_uses_console_mail_and_local_memory_cache():
    result = run(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.CACHES['default']['BACKEND'], s.DATABASES['default']['ENGINE'])",
        DEBUG="1",
        SECRET_KEY="",
        DATABASE_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.cache.backends.locmem.LocMemCache",
        "django.db.backends.sqlite3",
    ]


def test_redis_and_postgres_come_from_urls():
    result = run(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'])",
        **PRODUCTION,
        REDIS_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/mail",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "core.cache.ReusingRedisCache",
        "django.db.backends.postgresql",
        "mail",
    ]


def test_local_env_file_fills_in_but_the_environment_wins(tmp_path, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from core.env import load_env_file

    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nMAIL_TEST_A=from-file\nMAIL_TEST_B='quoted'\n\nMAIL_TEST_C=file\n")
    monkeypatch.delenv("MAIL_TEST_A", raising=False)
    monkeypatch.delenv("MAIL_TEST_B", raising=False)
    monkeypatch.setenv("MAIL_TEST_C", "environment")
    load_env_file(env_file)
    assert (os.environ["MAIL_TEST_A"], os.environ["MAIL_TEST_B"], os.environ["MAIL_TEST_C"]) == (
        "from-file",
        "quoted",
        "environment",
    )
    monkeypatch.delenv("MAIL_TEST_A")
    monkeypatch.delenv("MAIL_TEST_B")
    env_file.write_text("not a setting\n")
    with pytest.raises(ImproperlyConfigured, match="line 1: expected KEY=VALUE"):
        load_env_file(env_file)
    load_env_file(tmp_path / "missing.env")  # no file: nothing to do
