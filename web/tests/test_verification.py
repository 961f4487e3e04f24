"""Verification links: signed, expiring, bound to the address; never unblock."""

import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from core.models import User
from core.services.accounts.links import encode_uid, verification_token_make
from core.tests.mail import link_in, sent


def verify(client, user, token=None):
    token = token or verification_token_make(user)
    return client.get(reverse("verify-email", kwargs={"uidb64": encode_uid(user), "token": token}), follow=True)


def test_an_expired_link_is_refused_and_offers_a_new_one(client, db):
    user = make_user("late@example.com", email_verified_at=None)
    with time_machine.travel(timezone.now() - timezone.timedelta(seconds=settings.EMAIL_VERIFICATION_MAX_AGE + 1)):
        token = verification_token_make(user)
    response = verify(client, user, token)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert reverse("resend-verification") in response.content.decode()
    user.refresh_from_db()
    assert not user.email_verified


def test_a_link_just_inside_its_lifetime_works(client, db):
    user = make_user("late@example.com", email_verified_at=None)
    with time_machine.travel(timezone.now() - timezone.timedelta(seconds=settings.EMAIL_VERIFICATION_MAX_AGE - 60)):
        token = verification_token_make(user)
    assert verify(client, user, token).status_code == 200
    user.refresh_from_db()
    assert user.email_verified


def test_a_tampered_link_is_refused(client, owner):
    user = make_user("late@example.com", email_verified_at=None)
    token = verification_token_make(user)
    timestamp, signature = token.split(":")
    other_second = "y" if timestamp.endswith("z") else "z"  # a timestamp ending in "z" would stay the same
    forged = [f"{timestamp}:{signature[::-1]}", f"{timestamp[:-1]}{other_second}:{signature}", "nonsense"]
    for bad in forged:
        assert verify(client, user, bad).status_code == 400
    # Another user's token does not verify this one.
    other_uid = reverse("verify-email", kwargs={"uidb64": encode_uid(user), "token": verification_token_make(owner)})
    assert client.get(other_uid).status_code == 400
    bad_uid = reverse("verify-email", kwargs={"uidb64": "MTIzNDU2", "token": token})
    assert client.get(bad_uid).status_code == 400
    user.refresh_from_db()
    assert not user.email_verified


def test_a_link_stops_working_when_the_address_changes(client, db):
    user = make_user("late@example.com", email_verified_at=None)
    token = verification_token_make(user)
    user.email = "changed@example.com"
    user.save()
    assert verify(client, user, token).status_code == 400


def test_verifying_a_blocked_account_does_not_unblock_it(client, db):
    user = make_user("late@example.com", email_verified_at=None, is_active=False)
    verify(client, user)
    user.refresh_from_db()
    assert user.email_verified and not user.is_active


def test_resending_answers_the_same_whoever_asks(client, owner):
    make_user("late@example.com", email_verified_at=None)
    answers = []
    for email in ["late@example.com", "nobody@example.com", "owner@example.com"]:
        response = client.post(reverse("resend-verification"), {"email": email}, follow=True)
        answers.append((response.redirect_chain, response.content.decode().count("a new link is on its way")))
    assert answers[0] == answers[1] == answers[2]
    [message] = sent()
    assert message.to == ["late@example.com"]
    client.get(link_in(message, "/accounts/verify/").removeprefix(settings.SITE_URL))
    assert User.objects.get(email="late@example.com").email_verified


def test_asking_again_and_again_sends_one_email_a_minute(client, db):
    make_user("late@example.com", email_verified_at=None)
    for _ in range(3):
        client.post(reverse("resend-verification"), {"email": "late@example.com"})
    assert len(sent()) == 1
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=61)):
        client.post(reverse("resend-verification"), {"email": "late@example.com"})
        assert len(sent()) == 2
