"""/manage/users/: managers list and block; admins also create, edit, delete."""

import re

from django.urls import reverse

from conftest import PASSWORD, make_user
from core import roles
from core.models import User
from core.tests.factories import MailingFactory


def row(page: str, user: User) -> str:
    return re.search(rf'<tr data-user="{user.pk}">.*?</tr>', page, re.S).group(0)


def test_managers_see_every_user_with_mailing_counts(client, owner, other_user, manager):
    MailingFactory.create_batch(2, owner=owner)
    MailingFactory(owner=owner, is_active=False)
    client.force_login(manager)
    page = client.get(reverse("manage-users")).content.decode()
    assert 'data-count="mailings">3<' in row(page, owner)
    assert 'data-count="active">2<' in row(page, owner)
    assert 'data-count="mailings">0<' in row(page, other_user)
    assert "<td data-role>Manager</td>" in row(page, manager)
    assert reverse("manage-user-create") not in page  # admins only
    assert reverse("manage-user-edit", args=[owner.pk]) not in page


def test_plain_users_and_content_managers_may_not_list_users(client, owner, content_manager):
    for user in (owner, content_manager):
        client.force_login(user)
        assert client.get(reverse("manage-users")).status_code == 403
        assert client.post(reverse("manage-user-block", args=[user.pk]), {"blocked": "1"}).status_code == 403
    assert client.get(reverse("manage-users")).status_code == 403
    client.logout()
    assert client.get(reverse("manage-users")).url.startswith(reverse("login"))


def test_a_manager_blocks_and_unblocks_a_user(client, owner, manager):
    client.force_login(manager)
    response = client.post(reverse("manage-user-block", args=[owner.pk]), {"blocked": "1"}, follow=True)
    assert "owner@example.com is blocked" in response.content.decode()
    owner.refresh_from_db()
    assert not owner.is_active
    assert "Unblock" in row(response.content.decode(), owner)
    client.post(reverse("manage-user-block", args=[owner.pk]), {"blocked": "0"})
    owner.refresh_from_db()
    assert owner.is_active


def test_a_manager_cannot_block_an_admin_or_themselves(client, manager, admin_user):
    client.force_login(manager)
    page = client.get(reverse("manage-users")).content.decode()
    assert "Block" not in row(page, admin_user) and "Block" not in row(page, manager)
    assert client.post(reverse("manage-user-block", args=[admin_user.pk]), {"blocked": "1"}).status_code == 403
    assert client.post(reverse("manage-user-block", args=[manager.pk]), {"blocked": "1"}).status_code == 403
    admin_user.refresh_from_db()
    manager.refresh_from_db()
    assert admin_user.is_active and manager.is_active


def test_an_admin_creates_a_manager(client, admin_user):
    client.force_login(admin_user)
    data = {
        "email": "New.Manager@example.com",
        "full_name": "New Manager",
        "time_zone": "Europe/Madrid",
        "role": roles.MANAGER,
        "password": PASSWORD,
    }
    response = client.post(reverse("manage-user-create"), data, follow=True)
    assert "new.manager@example.com has been created" in response.content.decode()
    user = User.objects.get(email="new.manager@example.com")
    assert user.email_verified and user.has_perm("core.block_user") and not user.is_superuser
    assert user.check_password(PASSWORD)


def test_creating_a_user_with_a_taken_address_or_weak_password_shows_messages(client, admin_user, owner):
    client.force_login(admin_user)
    data = {"email": "OWNER@example.com", "full_name": "", "time_zone": "UTC", "role": roles.USER, "password": "1"}
    page = client.post(reverse("manage-user-create"), data).content.decode()
    assert "This email is already taken" in page
    assert "This password is too short" in page
    assert User.objects.count() == 2


def test_an_admin_edits_a_user_and_their_role(client, admin_user, owner):
    client.force_login(admin_user)
    edit = reverse("manage-user-edit", args=[owner.pk])
    assert 'value="owner@example.com"' in client.get(edit).content.decode()
    data = {"email": "owner2@example.com", "full_name": "Renamed", "time_zone": "UTC", "role": roles.CONTENT_MANAGER}
    client.post(edit, data)
    owner = User.objects.get(pk=owner.pk)
    assert (owner.email, owner.full_name, owner.time_zone) == ("owner2@example.com", "Renamed", "UTC")
    assert owner.has_perm("blog.add_post") and not owner.has_perm("core.block_user")


def test_an_admin_cannot_drop_their_own_admin_role(client, admin_user):
    client.force_login(admin_user)
    data = {"email": "admin@example.com", "full_name": "A", "time_zone": "UTC", "role": roles.USER}
    page = client.post(reverse("manage-user-edit", args=[admin_user.pk]), data).content.decode()
    assert "You cannot take the admin role away from yourself" in page
    admin_user.refresh_from_db()
    assert admin_user.is_superuser


def test_an_admin_deletes_a_user_with_their_data(client, admin_user, owner):
    MailingFactory(owner=owner)
    client.force_login(admin_user)
    page = client.get(reverse("manage-user-delete", args=[owner.pk])).content.decode()
    assert "1 mailing" in page
    client.post(reverse("manage-user-delete", args=[owner.pk]))
    assert not User.objects.filter(pk=owner.pk).exists()


def test_managers_may_not_create_edit_or_delete_users(client, manager, owner):
    client.force_login(manager)
    assert client.get(reverse("manage-user-create")).status_code == 403
    assert client.post(reverse("manage-user-edit", args=[owner.pk]), {"email": "x@example.com"}).status_code == 403
    assert client.post(reverse("manage-user-delete", args=[owner.pk])).status_code == 403
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"


def test_the_list_costs_the_same_queries_for_many_users(client, manager, django_assert_max_num_queries):
    client.force_login(manager)
    client.get(reverse("manage-users"))  # warm the session and permission caches
    for n in range(20):
        make_user(f"user{n}@example.com", roles.CONTENT_MANAGER if n % 2 else roles.USER)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("manage-users")).content.decode()
    assert page.count("<td data-role>") == 21


def test_the_users_pages_have_a_breadcrumb(client, admin_user, owner):
    client.force_login(admin_user)
    crumbs = re.compile(r'<nav aria-label="Breadcrumb">(.*?)</nav>', re.S)
    listing = crumbs.search(client.get(reverse("manage-users")).content.decode()).group(1)
    assert 'href="/">Home</a>' in listing and 'aria-current="page">Users</li>' in listing
    edit = crumbs.search(client.get(reverse("manage-user-edit", args=[owner.pk])).content.decode()).group(1)
    assert f'href="{reverse("manage-users")}">Users</a>' in edit and owner.email in edit
