"""Rules of core.services.accounts that no page or endpoint reaches on its own."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction

from conftest import PASSWORD
from core import roles
from core.models import User
from core.roles import role_of
from core.selectors import can_block, users_visible_to
from core.services.accounts.signup import user_register
from core.services.accounts.users import user_create, user_delete, user_update
from core.tests.mail import sent


def test_only_admins_create_edit_and_delete_other_users(owner, other_user, manager):
    for by in (owner, manager):
        with pytest.raises(PermissionDenied):
            user_create(
                by=by, email="x@example.com", full_name="X", time_zone="UTC", role=roles.USER, password=PASSWORD
            )
        with pytest.raises(PermissionDenied):
            user_update(by=by, user=other_user, email="y@example.com", full_name="", time_zone="UTC", role=roles.USER)
        with pytest.raises(PermissionDenied):
            user_delete(user=other_user, by=by)
    other_user.refresh_from_db()
    assert other_user.email == "other@example.com"
    assert not User.objects.filter(email="x@example.com").exists()


def test_anyone_deletes_themselves(owner):
    user_delete(user=owner, by=owner)
    assert not User.objects.filter(pk=owner.pk).exists()


def test_admins_give_and_take_roles(admin_user, owner):
    for role in (roles.MANAGER, roles.CONTENT_MANAGER, "admin", roles.USER):
        user_update(by=admin_user, user=owner, email=owner.email, full_name="O", time_zone="UTC", role=role)
        assert role_of(User.objects.get(pk=owner.pk)) == role


def test_signing_up_again_in_another_case_creates_no_second_account(db):
    first = user_register(email="twin@example.com", full_name="A", password=PASSWORD, time_zone="UTC")
    second = user_register(email="TWIN@example.com", full_name="B", password=PASSWORD, time_zone="UTC")
    assert first is not None and second is None
    assert User.objects.filter(email="twin@example.com").count() == 1


def test_who_may_list_and_block_users(owner, manager, content_manager, admin_user):
    assert users_visible_to(owner).count() == users_visible_to(content_manager).count() == 0
    assert users_visible_to(manager).count() == users_visible_to(admin_user).count() == 4
    assert can_block(manager, owner) and can_block(manager, content_manager)
    assert not can_block(manager, admin_user) and not can_block(manager, manager)
    assert can_block(admin_user, manager) and not can_block(admin_user, admin_user)
    assert not can_block(owner, content_manager)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_racing_for_one_address_make_one_account():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite locks the whole database, so the two sign-ups cannot overlap")
    started, release = threading.Event(), threading.Event()

    def first_sign_up():
        try:
            with transaction.atomic():
                User.objects.create_user("race@example.com", PASSWORD, full_name="First")
                started.set()
                release.wait(5)
        finally:
            connections.close_all()

    first = threading.Thread(target=first_sign_up)
    first.start()
    started.wait(5)
    # The second sign-up finds no committed account yet; its insert waits on the
    # first one's row and then fails on the unique address.
    threading.Timer(0.5, release.set).start()
    second = user_register(email="RACE@example.com", full_name="Second", password=PASSWORD, time_zone="UTC")
    first.join()
    assert second is None
    assert list(User.objects.filter(email__iexact="race@example.com").values_list("full_name", flat=True)) == ["First"]
    assert [m.subject for m in sent()] == ["Someone tried to sign up with your address"]
