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
    ("name", "title", "content"),
    [
        ("mailings", "Mailings", "/api/mailings/"),
        ("clients", "Clients", "/api/clients/"),
        ("messages", "Messages", "/api/messages/"),
        ("reports", "Reports", "/api/reports/"),
    ],
)
def test_user_gets_the_page_frame(client, owner, name, title, content):
    client.force_login(owner)
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{title} · mail_service</title>" in html
    assert f'<h1 class="h2">{title}</h1>' in html
    assert '<li class="breadcrumb-item"><a href="/">Home</a></li>' in html
    assert f'<li class="breadcrumb-item active" aria-current="page">{title}</li>' in html
    # the first paint already holds the API's list fragment (no second request, no spinner),
    # which reloads itself from the API afterwards
    opening = f'<div id="content" hx-headers=\'{{"X-Page-Path": "{reverse(name)}"}}\'>'
    assert opening in html
    assert f'hx-get="{content}' in html.split(opening)[1]
    assert "Loading…" not in html.split(opening)[1].split('id="detail-panel"')[0]
    assert '<div class="modal-body" id="dialog">' in html
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


@pytest.mark.parametrize(
    ("name", "buttons"),
    [
        ("clients", ['hx-get="/api/clients/form/"', 'hx-get="/api/clients/import/form/"']),
        ("messages", ['hx-get="/api/messages/form/"']),
        ("mailings", ['hx-get="/api/mailings/form/"']),
    ],
)
def test_toolbar_opens_the_forms_in_the_dialog(client, owner, name, buttons):
    client.force_login(owner)
    html = client.get(reverse(name)).content.decode()
    for button in buttons:
        assert f'{button} hx-target="#dialog"' in html


def test_reports_page_loads_chart_js_from_our_static_files(client, owner):
    client.force_login(owner)
    html = client.get(reverse("reports")).content.decode()
    assert '<script src="/static/vendor/chartjs/chart.umd.min.js"></script>' in html


def test_manager_page_lists_every_mailing(client, manager):
    client.force_login(manager)
    html = client.get(reverse("manager-mailings")).content.decode()
    assert '\'><div id="mailings-list"' in html.split('<div id="content"')[1][:100]


class TestMailingPage:
    def test_owner_and_managers_open_it_others_get_404(self, client, owner, other_user, manager, content_manager):
        from core.tests.factories import MailingFactory, MessageFactory

        mailing = MailingFactory(owner=owner, message=MessageFactory(owner=owner, subject="Autumn news"))
        url = reverse("mailing", args=[mailing.pk])
        for user, expected in [(owner, 200), (manager, 200), (other_user, 404), (content_manager, 404)]:
            client.force_login(user)
            assert client.get(url).status_code == expected, user
        client.force_login(owner)
        html = client.get(url).content.decode()
        assert f"<title>Mailing #{mailing.pk} · mail_service</title>" in html
        assert '<li class="breadcrumb-item"><a href="/mailings/">Mailings</a></li>' in html
        assert "Its schedule, the progress of its latest run" in html
        assert f'<section id="mailing-{mailing.pk}-detail"' in html

    def test_its_attempts_come_in_the_same_request_and_reload_when_it_changes(self, client, owner):
        from core.models import AttemptStatus
        from core.tests.factories import AttemptFactory, ClientFactory, MailingFactory

        mailing = MailingFactory(owner=owner)
        other = MailingFactory(owner=owner)
        kept = ClientFactory(owner=owner, email="kept@example.com")
        elsewhere = ClientFactory(owner=owner, email="elsewhere@example.com")
        AttemptFactory(mailing=mailing, client=kept, status=AttemptStatus.FAILURE)
        AttemptFactory(mailing=other, client=elsewhere)
        client.force_login(owner)
        html = client.get(reverse("mailing", args=[mailing.pk])).content.decode()
        attempts = html.split('id="mailing-attempts"')[1]
        assert f'hx-get="/api/attempts/?mailing={mailing.pk}" hx-trigger="mailings-changed from:body"' in attempts
        assert '<div id="attempts-list"' in attempts and "kept@example.com" in attempts
        assert "elsewhere@example.com" not in html
        assert 'hx-trigger="load"' not in html  # nothing left to fetch after the first paint

    def test_missing_mailing_is_404(self, client, owner):
        client.force_login(owner)
        assert client.get(reverse("mailing", args=[999999])).status_code == 404
