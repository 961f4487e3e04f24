"""The account API (/api/auth/): sign-up, verification, token log-in and
log-out, the current user, password reset. Same rules and emails as the pages."""

import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import resolve, reverse
from django.utils import timezone
from djoser.conf import settings as djoser_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import PASSWORD, make_user
from core import roles
from core.models import User
from core.services.accounts.links import encode_uid, verification_token_make
from core.services.users import user_set_blocked
from core.tests.mail import link_in, sent, sent_to

NEW_PASSWORD = "another-Long-passphrase-42"


@pytest.fixture
def api():
    return APIClient()


def url(name):
    return reverse(f"api:auth:{name}")


def register(api, email="new@example.com", **extra):
    data = {"email": email, "full_name": "New Person", "password": PASSWORD, "time_zone": "Europe/Paris", **extra}
    return api.post(url("register"), data, format="json")


def token_login(api, email, password=PASSWORD):
    return api.post(url("token-login"), {"email": email, "password": password}, format="json")


def uid_and_token(link):
    return re.search(r"/([^/]+)/([^/]+)/$", link).groups()


def test_registration_creates_an_unverified_user_and_emails_a_link_to_our_page(api, db):
    response = register(api)
    assert response.status_code == 201
    user = User.objects.get(email="new@example.com")
    assert user.is_active and user.email_verified_at is None and user.time_zone == "Europe/Paris"
    assert list(user.groups.all()) == [Group.objects.get(name=roles.USER)]
    [message] = sent_to("new@example.com")
    link = link_in(message, "/accounts/verify/")
    assert link.startswith(settings.SITE_URL + "/accounts/verify/")
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


def test_registration_with_a_registered_address_answers_the_same_and_tells_its_owner(api, owner):
    fresh = register(api, "fresh@example.com")
    taken = register(api, "OWNER@example.com")
    assert (taken.status_code, taken.json().keys()) == (fresh.status_code, fresh.json().keys())
    assert "taken" not in taken.content.decode().lower()
    assert User.objects.filter(email__iexact="owner@example.com").count() == 1
    [warning] = sent_to("owner@example.com")
    assert "tried to sign up" in warning.subject


def test_registration_validates_password_and_time_zone(api, db):
    response = register(api, password="12345678", time_zone="Mars/Olympus")
    assert response.status_code == 400
    body = response.json()
    assert "password" in body and "time_zone" in body
    assert not User.objects.exists()
    assert sent() == []


def test_activation_verifies_the_address_and_lets_the_user_log_in(api, db):
    register(api)
    uid, token = uid_and_token(link_in(sent()[0], "/accounts/verify/"))
    assert token_login(api, "new@example.com").status_code == 400
    response = api.post(url("activation"), {"uid": uid, "token": token}, format="json")
    assert response.status_code == 204
    assert User.objects.get(email="new@example.com").email_verified_at is not None
    assert token_login(api, "new@example.com").status_code == 200


def test_activation_never_unblocks(api, manager):
    user = make_user("late@example.com", email_verified_at=None)
    user_set_blocked(user=user, blocked=True, by=manager)
    data = {"uid": encode_uid(user), "token": verification_token_make(user)}
    assert api.post(url("activation"), data, format="json").status_code == 204
    user.refresh_from_db()
    assert user.email_verified and not user.is_active


def test_expired_and_tampered_activation_links_are_refused(api, db):
    user = make_user("late@example.com", email_verified_at=None)
    with time_machine.travel(timezone.now() - timezone.timedelta(seconds=settings.EMAIL_VERIFICATION_MAX_AGE + 60)):
        old_token = verification_token_make(user)
    expired = api.post(url("activation"), {"uid": encode_uid(user), "token": old_token}, format="json")
    assert expired.status_code == 400
    assert "expired" in expired.json()["token"][0]
    tampered = api.post(url("activation"), {"uid": encode_uid(user), "token": old_token[:-2] + "xx"}, format="json")
    assert tampered.status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_resend_activation_answers_the_same_for_any_address(api, owner):
    make_user("late@example.com", email_verified_at=None)
    answers = {
        email: api.post(url("resend-activation"), {"email": email}, format="json").status_code
        for email in ["late@example.com", "nobody@example.com", "owner@example.com"]
    }
    assert set(answers.values()) == {204}
    assert [m.to for m in sent()] == [["late@example.com"]]


def test_token_login_and_logout(api, owner):
    response = token_login(api, "Owner@Example.com")
    assert response.status_code == 200
    key = response.json()["auth_token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(url("me")).json()["email"] == "owner@example.com"
    assert api.post(url("token-logout")).status_code == 204
    assert api.get(url("me")).status_code == 401


def test_token_login_says_unverified_or_blocked_only_with_the_right_password(api, owner, manager, settings):
    settings.AXES_FAILURE_LIMIT = 10  # every refusal counts as a failure; this test makes six
    make_user("late@example.com", email_verified_at=None)
    unverified = token_login(api, "late@example.com")
    assert unverified.status_code == 400
    assert "not verified" in unverified.json()["non_field_errors"][0]
    user_set_blocked(user=owner, blocked=True, by=manager)
    blocked = token_login(api, "owner@example.com")
    assert "blocked" in blocked.json()["non_field_errors"][0]
    wrong = [token_login(api, email, "wrong-password").json() for email in ["late@example.com", "owner@example.com"]]
    assert wrong[0] == wrong[1] == token_login(api, "nobody@example.com", "wrong-password").json()
    assert "blocked" not in str(wrong[0]) and "verified" not in str(wrong[0])


def test_a_blocked_users_token_stops_working_at_once(api, owner, manager):
    key = token_login(api, "owner@example.com").json()["auth_token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(url("me")).status_code == 200
    user_set_blocked(user=owner, blocked=True, by=manager)
    assert api.get(url("me")).status_code == 401


def test_a_blocked_user_with_a_leftover_token_is_refused(api, owner):
    token = Token.objects.create(user=owner)
    User.objects.filter(pk=owner.pk).update(is_active=False)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(url("me")).status_code == 401


def test_token_login_locks_out_after_repeated_failures(api, owner):
    answers = [token_login(api, "owner@example.com", "wrong").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert answers[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert answers[-1] == 429
    locked = token_login(api, "owner@example.com")
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.json()["detail"]
    assert not Token.objects.filter(user=owner).exists()


def test_lockout_ends_after_the_cool_off(api, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_login(api, "owner@example.com", "wrong")
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)):
        assert token_login(api, "owner@example.com").status_code == 200


def test_password_reset_answers_the_same_for_unknown_addresses(api, owner):
    known = api.post(url("reset-password"), {"email": "OWNER@example.com"}, format="json")
    unknown = api.post(url("reset-password"), {"email": "nobody@example.com"}, format="json")
    assert known.status_code == unknown.status_code == 204
    assert known.content == unknown.content
    assert [m.to for m in sent()] == [["owner@example.com"]]


def test_password_reset_confirm_sets_the_password_and_revokes_tokens(api, owner):
    Token.objects.create(user=owner)
    api.post(url("reset-password"), {"email": "owner@example.com"}, format="json")
    uid, token = uid_and_token(link_in(sent()[0], "/accounts/password/reset/"))
    weak = api.post(url("reset-password-confirm"), {"uid": uid, "token": token, "new_password": "123"}, format="json")
    assert weak.status_code == 400 and "new_password" in weak.json()
    data = {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
    assert api.post(url("reset-password-confirm"), data, format="json").status_code == 204
    assert not Token.objects.filter(user=owner).exists()
    assert token_login(api, "owner@example.com", NEW_PASSWORD).status_code == 200
    again = api.post(url("reset-password-confirm"), data, format="json")
    assert again.status_code == 400 and "token" in again.json()


def test_me_reads_and_updates_the_profile_but_not_the_address(api, owner):
    api.force_authenticate(owner)
    response = api.patch(url("me"), {"full_name": "Renamed", "time_zone": "Asia/Tokyo", "email": "x@example.com"})
    assert response.status_code == 200
    owner.refresh_from_db()
    assert (owner.full_name, owner.time_zone, owner.email) == ("Renamed", "Asia/Tokyo", "owner@example.com")
    assert api.patch(url("me"), {"time_zone": "Nowhere/Land"}).status_code == 400


def test_me_delete_needs_the_current_password_and_removes_the_account(api, owner):
    key = token_login(api, "owner@example.com").json()["auth_token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.delete(url("me"), {"current_password": "wrong"}, format="json").status_code == 400
    assert api.delete(url("me"), {"current_password": PASSWORD}, format="json").status_code == 204
    assert not User.objects.filter(pk=owner.pk).exists()


def test_djoser_links_open_the_pages_that_complete_the_action(owner):
    values = {"uid": encode_uid(owner), "token": "abc-123"}
    assert resolve("/" + djoser_settings.ACTIVATION_URL.format(**values)).url_name == "verify-email"
    assert resolve("/" + djoser_settings.PASSWORD_RESET_CONFIRM_URL.format(**values)).url_name == (
        "password-reset-confirm"
    )


def test_djoser_email_hooks_send_our_templates(owner):
    djoser_settings.EMAIL.activation(None, {"user": owner}).send([owner.email])
    djoser_settings.EMAIL.password_reset(None, {"user": owner}).send([owner.email])
    subjects = [message.subject for message in sent_to("owner@example.com")]
    assert subjects == ["Confirm your email address", "Reset your password"]
    assert all(message.alternatives for message in sent())


BROKEN_NAMES = ["Anna\nBcc: victim@example.com", "Anna\rX", "Anna\x0bX", "Anna\x1cX", "Anna\x85X", "Anna\u2028X"]
UNSENDABLE = "shop@" + "ä" * 60 + ".example"  # a valid address whose domain IDNA cannot encode


@pytest.mark.parametrize("name", BROKEN_NAMES)
def test_a_name_with_a_line_break_is_refused_at_sign_up_and_in_the_profile(api, owner, name):
    response = register(api, full_name=name)
    assert response.status_code == 400 and "line break" in response.json()["full_name"][0]
    assert not User.objects.filter(email="new@example.com").exists()

    api.force_authenticate(owner)
    changed = api.patch(url("me"), {"full_name": name, "time_zone": "Asia/Tokyo"}, format="json")
    assert changed.status_code == 400 and "line break" in changed.json()["full_name"][0]
    owner.refresh_from_db()
    assert (owner.full_name, owner.time_zone) == ("Owner", "Europe/Berlin")


def test_a_reply_to_address_that_cannot_be_sent_is_refused(api, owner):
    api.force_authenticate(owner)
    response = api.patch(url("me"), {"reply_to": UNSENDABLE}, format="json")
    assert response.status_code == 400 and "cannot be used in an email" in response.json()["reply_to"][0]
    owner.refresh_from_db()
    assert owner.reply_to == ""
    assert api.patch(url("me"), {"reply_to": "shop@exämple.org"}, format="json").status_code == 200
