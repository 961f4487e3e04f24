"""Signing up on the page: the answer never tells whether an address is registered."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from conftest import PASSWORD
from core import outbox, roles
from core.models import OutboxEmail, User
from core.tests.mail import html_part, link_in, sent, sent_to
from core.tests.smtp_peers import free_port


def sign_up(client, email="new@example.com", **extra):
    data = {"email": email, "full_name": "New Person", "password": PASSWORD, "time_zone": "Europe/Berlin", **extra}
    return client.post(reverse("signup"), data, follow=True)


def test_sign_up_creates_an_unverified_user_and_sends_a_two_part_email(client, db):
    response = sign_up(client)
    assert "Check your inbox" in response.content.decode()
    assert "new@example.com" in response.content.decode()
    user = User.objects.get(email="new@example.com")
    assert user.is_active and not user.email_verified
    assert (user.full_name, user.time_zone) == ("New Person", "Europe/Berlin")
    assert list(user.groups.all()) == [Group.objects.get(name=roles.USER)]
    [message] = sent_to("new@example.com")
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    link = link_in(message, "/accounts/verify/")
    assert link.startswith(settings.SITE_URL)
    assert link in html_part(message)


def test_the_link_from_the_email_verifies_the_address(client, db):
    sign_up(client)
    link = link_in(sent()[0], "/accounts/verify/")
    response = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert "Your email address is confirmed" in response.content.decode()
    assert User.objects.get(email="new@example.com").email_verified


def test_signing_up_with_a_registered_address_looks_the_same_and_warns_its_owner(client, owner):
    fresh = sign_up(client, "fresh@example.com")
    taken = sign_up(client, "Owner@Example.com")
    assert taken.status_code == fresh.status_code == 200
    assert taken.redirect_chain == fresh.redirect_chain
    assert "taken" not in taken.content.decode().lower()
    assert "Check your inbox" in taken.content.decode()
    assert User.objects.filter(email__iexact="owner@example.com").count() == 1
    [warning] = sent_to("owner@example.com")
    assert "tried to sign up" in warning.subject
    assert "/accounts/password/reset/" in warning.body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password", "short", "This password is too short"),
        ("password", "password123", "This password is too common"),
        ("password", "new@example.com", "too similar"),
        ("time_zone", "Mars/Olympus", "Select a valid choice"),
        ("email", "not-an-email", "Enter a valid email address"),
    ],
)
def test_bad_input_re_renders_the_form_with_messages(client, db, field, value, message):
    response = sign_up(client, **{field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()
    assert sent() == []


def test_logged_in_people_do_not_see_the_sign_up_page(client, owner):
    client.force_login(owner)
    assert client.get(reverse("signup")).url == reverse("home")


def test_a_mail_server_that_is_down_does_not_break_sign_up(client, db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    response = sign_up(client)
    assert "Check your inbox" in response.content.decode()
    assert User.objects.filter(email="new@example.com").exists()
    outbox.send_due()
    [email] = OutboxEmail.objects.all()
    assert (email.kind, email.status, email.tries) == ("verify_email", "pending", 1)
    assert "cannot connect to the mail server" in email.reason


def test_the_plain_text_part_is_not_html_escaped_and_the_html_part_is(client, db):
    sign_up(client, full_name="O'Brien&<b>Co</b>")
    [message] = sent()
    assert "Hello O'Brien&<b>Co</b>," in message.body
    assert "Hello O&#x27;Brien&amp;&lt;b&gt;Co&lt;/b&gt;," in html_part(message)


def test_sign_up_refuses_a_name_with_a_line_break(client, db):
    response = sign_up(client, full_name="New\rBcc: victim@example.com")
    assert response.status_code == 200
    assert "Must be a single line (no line breaks)." in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()
    assert sent() == [] and not OutboxEmail.objects.exists()
