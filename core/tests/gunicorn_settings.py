"""Settings of the gunicorn the outbox tests start: production's, with the
cheap password hasher the other tests use, so a sign-up's time is the
request's own and not a key derivation's (on a busy two-core machine that
alone takes most of a second)."""

from core.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
