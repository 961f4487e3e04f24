"""The user's permissions are read in one query and give the same answers as
Django's ModelBackend, which reads them in two; then they come from the cache
until a role, a group or the user's permissions change."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

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
def test_has_perm_reads_them_from_the_cache_until_roles_or_permissions_change(django_assert_num_queries):
    cache.clear()
    user = make_user("someone@example.com", roles.USER)

    def sees_all(expected_queries):
        fresh = User.objects.get(pk=user.pk)
        with django_assert_num_queries(expected_queries):  # has_perm loads them through our backend
            return fresh.has_perm("core.view_all_mailings")

    assert sees_all(1) is False
    assert sees_all(0) is False  # from the cache
    user.groups.add(Group.objects.get(name=roles.MANAGER))  # promoted
    assert sees_all(1) is True
    assert sees_all(0) is True
    Group.objects.get(name=roles.MANAGER).permissions.remove(Permission.objects.get(codename="view_all_mailings"))
    assert sees_all(1) is False
    user.groups.clear()
    user.user_permissions.add(Permission.objects.get(codename="view_all_mailings"))
    assert sees_all(1) is True
