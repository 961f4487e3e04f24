"""A user's own language: taken from the site at sign-up, changed on the
profile page or with the switcher, and spoken by the site once they log in."""

from django.conf import settings
from django.urls import reverse

from conftest import PASSWORD
from core.models import User


def sign_up(client, email, **headers):
    data = {"email": email, "full_name": "New Person", "password": PASSWORD, "time_zone": "Europe/Berlin"}
    return client.post(reverse("signup"), data, headers=headers)


def test_sign_up_keeps_the_language_the_person_reads_the_site_in(client, db):
    sign_up(client, "browser@example.com", accept_language="ru-RU,ru;q=0.9")
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    sign_up(client, "switcher@example.com")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    sign_up(client, "english@example.com", accept_language="ru-RU,ru;q=0.9")  # the switcher's choice wins
    languages = dict(User.objects.values_list("email", "language"))
    assert languages == {"browser@example.com": "ru", "switcher@example.com": "ru", "english@example.com": "en"}


def test_profile_changes_the_language(client, owner):
    client.force_login(owner)
    assert '<option value="en" selected>' in client.get(reverse("profile")).content.decode()
    data = {"full_name": "Owner", "time_zone": "Europe/Berlin", "language": "ru"}
    page = client.post(reverse("profile"), data, follow=True).content.decode()
    assert "Ваш профиль сохранён." in page  # and the site speaks the new language at once
    owner.refresh_from_db()
    assert owner.language == "ru"


def test_profile_refuses_an_unknown_language(client, owner):
    client.force_login(owner)
    for bad in ("de", "ru" * 10, "RU"):
        data = {"full_name": "Renamed", "time_zone": "Asia/Tokyo", "language": bad}
        response = client.post(reverse("profile"), data)
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    owner.refresh_from_db()
    assert (owner.full_name, owner.time_zone, owner.language) == ("Owner", "Europe/Berlin", "en")


def test_a_profile_form_without_a_language_keeps_the_users(client, owner):
    User.objects.filter(pk=owner.pk).update(language="ru")
    client.force_login(owner)
    for data in (
        {"full_name": "Renamed", "time_zone": "UTC"},
        {"full_name": "Again", "time_zone": "UTC", "language": ""},
    ):
        assert client.post(reverse("profile"), data).status_code == 302
    owner.refresh_from_db()
    assert (owner.full_name, owner.language) == ("Again", "ru")


def test_a_logged_in_user_reads_the_site_in_their_language(client, owner):
    User.objects.filter(pk=owner.pk).update(language="ru")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="en">' in client.get("/", headers={"accept-language": "en"}).content.decode()
    client.force_login(owner)
    html = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="ru">' in html and "Активные рассылки" in html


def test_switching_the_language_while_logged_in_changes_the_users(client, owner, other_user):
    client.force_login(owner)
    answer = client.post(reverse("set_language"), {"language": "ru", "next": "/mailings/"})
    assert answer.status_code == 302 and answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    owner.refresh_from_db()
    assert owner.language == "ru"
    assert '<html lang="ru">' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    owner.refresh_from_db()
    assert owner.language == "ru"
    other_user.refresh_from_db()
    assert other_user.language == "en"
