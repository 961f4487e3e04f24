import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse

from conftest import PASSWORD, make_user
from core import roles
from core.models import User


def login(email, password=PASSWORD):
    return authenticate(RequestFactory().post("/"), username=email, password=password)


def test_logs_in_by_email_ignoring_case(owner):
    assert login("OWNER@example.com") == owner


def test_unverified_account_cannot_log_in(db):
    user = make_user("new@example.com", email_verified_at=None)
    assert login(user.email) is None


def test_blocked_account_cannot_log_in(owner):
    owner.is_active = False
    owner.save()
    assert login(owner.email) is None


def test_email_is_unique_ignoring_case(owner):
    with pytest.raises(ValidationError) as caught:
        User(email="Owner@Example.com", full_name="Twin").full_clean(exclude=["password"])
    assert caught.value.message_dict["email"] == ["This email is already taken."]
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="OWNER@example.com")
    assert User.objects.count() == 1


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Europe/berlin ", "", "UTC+3"])
def test_time_zone_must_be_an_iana_name(db, zone):
    user = User(email="tz@example.com", time_zone=zone)
    with pytest.raises(ValidationError) as caught:
        user.full_clean(exclude=["password"])
    assert "time_zone" in caught.value.message_dict
    with pytest.raises(ValidationError):
        User.objects.create_user("tz@example.com", PASSWORD, time_zone=zone)
    assert not User.objects.exists()


def test_roles_exist_with_their_permissions(db):
    groups = {g.name: g for g in Group.objects.prefetch_related("permissions__content_type")}
    assert set(groups) == {roles.USER, roles.MANAGER, roles.CONTENT_MANAGER}
    for name, expected in roles.ROLES.items():
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in groups[name].permissions.all()}
        assert granted == set(expected)


def test_role_permissions_reach_the_user(owner, manager, content_manager):
    assert owner.has_perm("core.add_mailing") and not owner.has_perm("core.view_all_mailings")
    assert manager.has_perm("core.view_all_mailings") and manager.has_perm("core.block_user")
    assert not manager.has_perm("blog.add_post")
    assert content_manager.has_perm("blog.add_post") and not content_manager.has_perm("core.block_user")


def test_admin_site_refuses_a_user_name_with_a_line_break(client, admin_user):
    client.force_login(admin_user)
    data = {"email": "new@example.com", "full_name": "New\nBcc: victim@example.com"}
    data |= {
        "password1": "another-Long-passphrase-42",
        "password2": "another-Long-passphrase-42",
        "usable_password": "true",
    }
    response = client.post(reverse("admin:core_user_add"), data)
    assert response.status_code == 200 and "Must be a single line (no line breaks)." in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()
