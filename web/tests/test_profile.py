"""Profile, password change and deleting one's own account."""

from django.urls import reverse

from conftest import PASSWORD
from core.models import Attempt, Client, Mailing, Message, User
from core.tests.factories import ClientFactory, MailingFactory

NEW_PASSWORD = "another-Long-passphrase-42"


def test_profile_changes_name_and_time_zone_only(client, owner):
    client.force_login(owner)
    data = {"full_name": "Olga Owner", "time_zone": "Asia/Tokyo", "email": "hijack@example.com"}
    response = client.post(reverse("profile"), data, follow=True)
    assert "Your profile has been saved" in response.content.decode()
    owner.refresh_from_db()
    assert (owner.full_name, owner.time_zone, owner.email) == ("Olga Owner", "Asia/Tokyo", "owner@example.com")


def test_profile_refuses_an_unknown_time_zone(client, owner):
    client.force_login(owner)
    response = client.post(reverse("profile"), {"full_name": "X", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    owner.refresh_from_db()
    assert owner.time_zone == "Europe/Berlin"


def test_changing_the_password_needs_the_old_one_and_keeps_the_session(client, owner):
    client.force_login(owner)
    url = reverse("password-change")
    wrong = client.post(url, {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(url, data).url == reverse("profile")
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert client.get(reverse("profile")).status_code == 200


def test_deleting_the_account_removes_all_its_data_and_nothing_else(client, owner, other_user):
    recipient = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[recipient])
    Attempt.objects.create(mailing=mailing, client=recipient, run_at=mailing.start_at)
    MailingFactory(owner=other_user, clients=[ClientFactory(owner=other_user)])
    client.force_login(owner)
    page = client.get(reverse("account-delete")).content.decode()
    assert "1 client" in page and "1 mailing" in page

    wrong = client.post(reverse("account-delete"), {"password": "wrong"})
    assert "This is not your password" in wrong.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()

    response = client.post(reverse("account-delete"), {"password": PASSWORD}, follow=True)
    assert "Your account and all its data have been deleted" in response.content.decode()
    assert not User.objects.filter(pk=owner.pk).exists()
    assert not Client.objects.filter(owner_id=owner.pk).exists()
    assert not Message.objects.filter(owner_id=owner.pk).exists()
    assert not Mailing.objects.filter(owner_id=owner.pk).exists()
    assert not Attempt.objects.filter(mailing__owner_id=owner.pk).exists()
    assert Mailing.objects.filter(owner=other_user).count() == 1
    assert "_auth_user_id" not in client.session


def test_profile_sets_the_reply_to_address_of_mailings(client, owner):
    client.force_login(owner)
    bad = client.post(reverse("profile"), {"full_name": "Owner", "time_zone": "UTC", "reply_to": "not-an-address"})
    assert bad.status_code == 200 and "Enter a valid email address." in bad.content.decode()
    owner.refresh_from_db()
    assert owner.reply_to == ""
    client.post(reverse("profile"), {"full_name": "Owner", "time_zone": "UTC", "reply_to": "shop@example.org"})
    owner.refresh_from_db()
    assert owner.reply_to == "shop@example.org"


def test_profile_refuses_a_name_with_a_line_break_and_an_address_that_cannot_be_sent(client, owner):
    client.force_login(owner)
    data = {
        "full_name": "Owner\u2028Bcc: victim@example.com",
        "time_zone": "UTC",
        "reply_to": "shop@" + "ä" * 60 + ".example",
    }
    response = client.post(reverse("profile"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Must be a single line (no line breaks)." in page and "cannot be used in an email" in page
    owner.refresh_from_db()
    assert (owner.full_name, owner.time_zone, owner.reply_to) == ("Owner", "Europe/Berlin", "")
