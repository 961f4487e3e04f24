"""The user's permissions are read in one query and give the same answers as
Django's ModelBackend, which reads them in two."""

import pytest
from django.contrib.auth.models import Permission

from conftest import make_user
from core import roles
from core.models import User
from core.selectors import load_permissions


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.USER, roles.MANAGER])
def test_one_query_same_permissions(role, django_assert_num_queries):
    user = make_user("someone@example.com", role)
    user.user_permissions.add(Permission.objects.get(codename="view_all_users"))
    reference = User.objects.get(pk=user.pk)
    expected = (reference.get_user_permissions(), reference.get_group_permissions())

    loaded = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        load_permissions(loaded)
        assert (loaded.get_user_permissions(), loaded.get_group_permissions()) == expected
        assert loaded.has_perm("core.view_all_users")
        assert loaded.has_perm("core.view_all_mailings") == (role == roles.MANAGER)
