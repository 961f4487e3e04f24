"""The user's permissions are read in one query and give the same answers as
Django's ModelBackend, which reads them in two; then they come from the cache
until a role, a group or the user's permissions change."""

import threading

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection, transaction

from conftest import make_user
from core import roles
from core.models import User
from core.selectors import load_permissions


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.USER, roles.MANAGER])
def test_one_query_same_permissions(role, django_assert_num_queries):
    user = make_user("someone@example.com", role)
    user.user_permissions.add(Permission.objects.get(codename="view_all_users"))
    reference, django = User.objects.get(pk=user.pk), ModelBackend()
    expected = (django.get_user_permissions(reference), django.get_group_permissions(reference))

    loaded = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        load_permissions(loaded)
        assert (loaded.get_user_permissions(), loaded.get_group_permissions()) == expected
        assert loaded.has_perm("core.view_all_users")
        assert loaded.has_perm("core.view_all_mailings") == (role == roles.MANAGER)


@pytest.mark.django_db
def test_has_perm_reads_them_from_the_cache_until_roles_or_permissions_change(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    cache.clear()
    user = make_user("someone@example.com", roles.USER)

    def sees_all(expected_queries):
        fresh = User.objects.get(pk=user.pk)
        with django_assert_num_queries(expected_queries):  # has_perm loads them through our backend
            return fresh.has_perm("core.view_all_mailings")

    def committed(change):  # the version moves when the change commits
        with django_capture_on_commit_callbacks(execute=True):
            change()

    assert sees_all(1) is False
    assert sees_all(0) is False  # from the cache
    committed(lambda: user.groups.add(Group.objects.get(name=roles.MANAGER)))  # promoted
    assert sees_all(1) is True
    assert sees_all(0) is True
    manager_group = Group.objects.get(name=roles.MANAGER)
    committed(lambda: manager_group.permissions.remove(Permission.objects.get(codename="view_all_mailings")))
    assert sees_all(1) is False
    committed(user.groups.clear)
    committed(lambda: user.user_permissions.add(Permission.objects.get(codename="view_all_mailings")))
    assert sees_all(1) is True


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database locks a table being written against readers: no race to show",
)
@pytest.mark.django_db(transaction=True)
def test_a_request_while_a_manager_is_demoted_does_not_keep_the_old_rights(manager):
    """The version moves when the demotion commits: a request that read the
    roles before then cannot keep them under the new version."""
    demoted, read = threading.Event(), threading.Event()
    answers = {}

    def demote():
        try:
            with transaction.atomic():
                manager.groups.set([Group.objects.get(name=roles.USER)])
                demoted.set()
                read.wait(10)  # a request reads the roles before the demotion commits
        finally:
            connection.close()

    def request_meanwhile():
        try:
            assert demoted.wait(10)
            answers["meanwhile"] = User.objects.get(pk=manager.pk).has_perm("core.view_all_mailings")
        finally:
            read.set()
            connection.close()

    threads = [threading.Thread(target=demote), threading.Thread(target=request_meanwhile)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert answers == {"meanwhile": True}  # the demotion had not committed yet
    assert User.objects.get(pk=manager.pk).has_perm("core.view_all_mailings") is False
