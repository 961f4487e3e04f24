"""Shared fixtures: named actors (owner, another user, manager, content manager, admin)."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from core import roles
from core.models import User

PASSWORD = "correct-horse-battery-9"  # noqa: S105 - test accounts only


def make_user(email: str, role: str | None = roles.USER, **extra) -> User:
    extra.setdefault("full_name", email.split("@")[0].title())
    extra.setdefault("email_verified_at", timezone.now())
    if role is None:
        return User.objects.create_superuser(email, PASSWORD, **extra)
    user = User.objects.create_user(email, PASSWORD, **extra)
    user.groups.add(Group.objects.get(name=role))
    return user


def _transactional(request) -> bool:
    """Whether the test's writes commit (a transactional test, a live server)."""
    marker = request.node.get_closest_marker("django_db")
    return (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and bool(marker.kwargs.get("transaction")))
    )


@pytest.fixture(autouse=True)
def _roles_survive_flush(request):
    """Transactional tests (live server, subprocesses) end with a flush that
    also empties the role groups the data migration made; put them back."""
    if _transactional(request):
        from django.apps import apps

        request.getfixturevalue("transactional_db")
        roles.sync_roles(apps)


@pytest.fixture(autouse=True)
def _data_cache_only_where_commits_happen(request, settings):
    """The data cache (pages, lists, the session's user; on by default with
    REDIS_URL) is kept fresh by versions that move when a write commits, and a
    test's transaction never commits: off in all but transactional tests,
    which turn it on when they test it."""
    if not _transactional(request):
        settings.DATA_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database rolls back between tests, the cache does not."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(db):
    return make_user("owner@example.com", time_zone="Europe/Berlin")


@pytest.fixture
def other_user(db):
    return make_user("other@example.com", time_zone="America/New_York")


@pytest.fixture
def manager(db):
    return make_user("manager@example.com", roles.MANAGER)


@pytest.fixture
def content_manager(db):
    return make_user("content@example.com", roles.CONTENT_MANAGER)


@pytest.fixture
def admin_user(db):
    return make_user("admin@example.com", None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create and log in many users; the production hasher's cost buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads (message images, blog covers) go to the test's own folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
