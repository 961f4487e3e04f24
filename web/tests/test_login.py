"""Logging in on the page: what it says, and only to whom; lockout; blocking."""

import re

from django.conf import settings
from django.urls import reverse

from conftest import PASSWORD, make_user
from core.services.users import user_set_blocked


def without_tokens(page: str) -> str:
    """The page without its CSRF tokens, which are masked differently every time."""
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1", page)


def log_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": email, "password": password, **extra})


def test_a_verified_user_logs_in_and_out(client, owner):
    response = log_in(client, "Owner@Example.com", next="/accounts/profile/")
    assert response.status_code == 302 and response.url == "/accounts/profile/"
    assert client.get(reverse("profile")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("profile")).status_code == 302


def test_an_unverified_user_with_the_right_password_is_told_and_offered_a_new_link(client, db):
    make_user("late@example.com", email_verified_at=None)
    response = log_in(client, "late@example.com")
    page = response.content.decode()
    assert response.status_code == 200
    assert "not verified yet" in page
    assert reverse("resend-verification") in page and 'value="late@example.com"' in page
    assert "_auth_user_id" not in client.session


def test_a_blocked_user_with_the_right_password_is_told_so(client, owner, manager):
    user_set_blocked(user=owner, blocked=True, by=manager)
    page = log_in(client, "owner@example.com").content.decode()
    assert "Your account has been blocked" in page
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_says_the_same_for_every_address(client, owner, manager, settings):
    settings.AXES_FAILURE_LIMIT = 10
    make_user("late@example.com", email_verified_at=None)
    user_set_blocked(user=owner, blocked=True, by=manager)
    pages = [
        without_tokens(log_in(client, email, "wrong-password").content.decode()).replace(email, "EMAIL")
        for email in ["late@example.com", "owner@example.com", "manager@example.com", "nobody@example.com"]
    ]
    assert pages[0] == pages[1] == pages[2] == pages[3]
    assert "Enter a correct email and password" in pages[0]


def test_repeated_failures_lock_the_account_out_with_a_clear_message(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "owner@example.com", "wrong").status_code == 200
    locked = log_in(client, "owner@example.com", "wrong")
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()
    right_password = log_in(client, "owner@example.com")
    assert right_password.status_code == 429
    assert "Too many failed log-in attempts" in right_password.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_blocked_users_session_stops_working_at_once(client, owner, manager):
    log_in(client, "owner@example.com")
    assert client.get(reverse("profile")).status_code == 200
    user_set_blocked(user=owner, blocked=True, by=manager)
    assert client.get(reverse("profile")).status_code == 302


def test_the_admin_site_log_in_is_locked_out_too(client, admin_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("admin:login"), {"username": "admin@example.com", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()


def test_navigation_offers_log_in_and_sign_up_or_profile_and_log_out(client, owner):
    page = client.get(reverse("home")).content.decode()
    assert reverse("login") in page and reverse("signup") in page and reverse("admin:login") not in page
    client.force_login(owner)
    page = client.get(reverse("home")).content.decode()
    assert reverse("profile") in page and reverse("logout") in page and reverse("manage-users") not in page
