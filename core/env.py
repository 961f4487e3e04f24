"""Typed readers for settings that come from environment variables.

Each reader fails loudly with ImproperlyConfigured naming the variable and the
value it could not understand, so a typo in production stops the start-up
instead of silently changing behaviour.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_UNSET = object()


def load_env_file(path) -> None:
    """Read KEY=VALUE lines of a local `.env` file into the environment.
    Variables already set win, so the real environment always overrides it."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ImproperlyConfigured(f"{path}, line {number}: expected KEY=VALUE, got {line!r}.")
        os.environ.setdefault(key.strip(), value.strip().strip("\"'"))


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: object = _UNSET) -> str | None:
    value = _raw(name)
    if value is None or value == "":
        if default is _UNSET:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = _raw(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(sorted(choices))}.")
    return value


def env_rate(name: str, default: str) -> str:
    """A request rate such as "100/minute" (per s, sec, m, minute, h, hour, d, day)."""
    value = _raw(name) or default
    count, _, period = value.partition("/")
    if (
        not count.isdigit()
        or int(count) < 1
        or period.lower() not in {"s", "sec", "m", "min", "minute", "h", "hour", "d", "day"}
    ):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate like 100/minute.")
    return f"{int(count)}/{period.lower()}"


def env_time_zone(name: str, default: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = _raw(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not an IANA time zone name (e.g. Europe/Berlin).") from None
    return value


def env_database(name: str, default: str) -> dict:
    import dj_database_url

    value = _raw(name) or default
    scheme = urlsplit(value).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"{name} must be a sqlite:// or postgres:// URL, got scheme {scheme!r}.")
    try:
        config = dj_database_url.parse(value, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} could not be parsed: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # WAL lets readers work while the dispatcher writes; a busy timeout
        # turns short lock waits into waits instead of "database is locked".
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config.setdefault("OPTIONS", {})
    return config


def env_redis_url(name: str) -> str | None:
    value = _raw(name)
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"{name} must be a redis://, rediss:// or unix:// URL.")
    return value


def env_bounce_address(name: str) -> str:
    """An envelope sender with one `{token}` in its local part
    (`bounces+{token}@mail.example.com`), or "" (off)."""
    value = _raw(name) or ""
    if not value:
        return ""
    local, at, domain = value.rpartition("@")
    if not at or local.count("{token}") != 1 or "{" in domain or not domain or any(c in value for c in ' <>"\\'):
        raise ImproperlyConfigured(f"{name}={value!r} must be an address with one {{token}} in its local part.")
    return value


def env_mailbox_url(name: str) -> str:
    """A mailbox to read: imaps://user:password@host[:port]/FOLDER, imap://…, maildir:/path, or "" (none)."""
    value = _raw(name) or ""
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme in {"imap", "imaps"} and parts.hostname and parts.username:
        return value
    if parts.scheme == "maildir" and parts.path:
        return value
    raise ImproperlyConfigured(f"{name} must be imaps://user:password@host/FOLDER, imap://… or maildir:/path.")
