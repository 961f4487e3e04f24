"""The resource pages' frames: title, breadcrumbs, description and the #content
region their fragments fill; visitors log in first, managers' screens are
closed to everyone else."""

import pytest
from django.test import override_settings
from django.urls import reverse

USER_PAGES = ["mailings", "clients", "messages", "reports"]
MANAGER_PAGES = ["manager-mailings"]


@pytest.mark.parametrize("name", USER_PAGES + MANAGER_PAGES)
@override_settings(LOGIN_URL="/accounts/login/")
def test_visitor_is_sent_to_log_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={reverse(name)}"


@pytest.mark.parametrize(
    ("name", "title"),
    [("mailings", "Mailings"), ("clients", "Clients"), ("messages", "Messages"), ("reports", "Reports")],
)
def test_user_gets_the_page_frame(client, owner, name, title):
    client.force_login(owner)
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{title} · mail_service</title>" in html
    assert f'<h1 class="h2">{title}</h1>' in html
    assert '<li class="breadcrumb-item"><a href="/">Home</a></li>' in html
    assert f'<li class="breadcrumb-item active" aria-current="page">{title}</li>' in html
    assert '<div id="content">' in html
    assert '<meta name="description" content="' in html and 'content=""' not in html


@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_manager_screens_are_forbidden_to_users_and_content_managers(client, owner, content_manager, name):
    for user in (owner, content_manager):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(("name", "title"), [("manager-mailings", "All mailings")])
def test_managers_and_admins_open_the_manager_screens(client, manager, admin_user, name, title):
    for user in (manager, admin_user):
        client.force_login(user)
        html = client.get(reverse(name)).content.decode()
        assert f'<h1 class="h2">{title}</h1>' in html
        assert '<li class="breadcrumb-item"><a href="/manager/mailings/">Manager</a></li>' in html
