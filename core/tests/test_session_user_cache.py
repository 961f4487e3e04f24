"""The user of a session comes from the cache (core.auth.EmailBackend.get_user)
until their account changes: a logged-in request does not ask the database for
its user, blocking someone, changing their password or their role takes effect
on their very next request, and other people logging in or writing do not
make anyone else's user read again.

Transactional tests: the versions move on when a write commits."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import roles
from core.services.users import user_set_blocked
from core.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.DATA_CACHE_SECONDS = 60


def profile(client):
    """The profile page's status, and whether the request read the user row."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/accounts/profile/")
    return response.status_code, any('FROM "core_user"' in query["sql"] for query in captured)


def test_a_logged_in_request_reads_its_user_from_the_cache(client, owner):
    client.force_login(owner)
    assert profile(client) == (200, True)
    assert profile(client) == (200, False)


def test_a_blocked_user_is_out_on_the_next_request(client, owner, manager):
    client.force_login(owner)
    profile(client)
    assert profile(client) == (200, False)
    user_set_blocked(user=owner, blocked=True, by=manager)
    status, _ = profile(client)
    assert status == 302  # sent to log in


def test_a_new_password_ends_the_other_sessions(client, owner):
    client.force_login(owner)
    profile(client)
    owner.set_password("a whole new secret 42")
    owner.save()
    assert profile(client)[0] == 302


def test_a_new_role_shows_on_the_next_request(client, owner):
    client.force_login(owner)
    assert "/manager/mailings/" not in client.get("/mailings/").content.decode()
    owner.groups.add(Group.objects.get(name=roles.MANAGER))
    assert "/manager/mailings/" in client.get("/mailings/").content.decode()


def test_without_a_shared_cache_the_user_is_read_every_time(client, owner, settings):
    settings.DATA_CACHE_SECONDS = 0
    client.force_login(owner)
    profile(client)
    assert profile(client) == (200, True)


def test_others_logging_in_and_writing_leave_a_users_session_cached(client, owner, other_user):
    client.force_login(owner)
    profile(client)
    Client().force_login(other_user)  # a log-in writes their last_login
    ClientFactory(owner=other_user)
    assert profile(client) == (200, False)
