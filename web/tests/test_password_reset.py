"""Password reset by email: the same answer for any address; the link works once."""

from django.conf import settings
from django.urls import reverse

from conftest import make_user
from core.models import User
from core.tests.mail import html_part, link_in, sent

NEW_PASSWORD = "another-Long-passphrase-42"


def ask_for_reset(client, email):
    return client.post(reverse("password-reset"), {"email": email}, follow=True)


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, owner):
    known = ask_for_reset(client, "Owner@Example.com")
    unknown = ask_for_reset(client, "nobody@example.com")
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password-reset-done"), 302)]
    assert known.content.decode().count("Check your inbox") == unknown.content.decode().count("Check your inbox") > 0
    [message] = sent()
    assert message.to == ["owner@example.com"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert link_in(message, "/accounts/password/reset/") in html_part(message)


def test_a_blocked_account_gets_no_reset_email(client, db):
    make_user("blocked@example.com", is_active=False)
    ask_for_reset(client, "blocked@example.com")
    assert sent() == []


def test_the_link_sets_a_new_password_once(client, owner):
    ask_for_reset(client, "owner@example.com")
    link = link_in(sent()[0], "/accounts/password/reset/").removeprefix(settings.SITE_URL)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert "This password is too short" in weak.content.decode()
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert "Your new password is set" in done.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    again = client.get(link, follow=True)
    assert "This link does not work" in again.content.decode()


def test_resetting_proves_the_address_of_an_unverified_account(client, db):
    make_user("late@example.com", email_verified_at=None)
    ask_for_reset(client, "late@example.com")
    link = link_in(sent()[0], "/accounts/password/reset/").removeprefix(settings.SITE_URL)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert User.objects.get(email="late@example.com").email_verified
    response = client.post(reverse("login"), {"username": "late@example.com", "password": NEW_PASSWORD})
    assert response.status_code == 302
