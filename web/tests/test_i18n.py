"""English and Russian: the switcher's choice shows Russian labels and stays."""

import re
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django_cron.models import CronJobLog

from web.dispatcher import DISPATCH_JOB_CODE


def switch(client, language, next_url="/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_switching_to_russian_shows_russian_labels_and_persists(client, owner):
    client.force_login(owner)
    assert "Active mailings" in client.get("/").content.decode()

    response = switch(client, "ru", "/mailings/")
    assert response.status_code == 302 and response.url == "/mailings/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ru"
    assert int(cookie["max-age"]) >= 300 * 24 * 3600  # survives closing the browser

    for _ in range(2):
        html = client.get("/").content.decode()
        assert '<html lang="ru">' in html
        assert "Рассылки, которые сохраняют связь с клиентами" in html  # noqa: RUF001
        assert "Активные рассылки" in html and "Active mailings" not in html
        assert ">Клиенты</a>" in html and ">Отчёты</a>" in html

    html = client.get(reverse("reports")).content.decode()
    assert '<h1 class="h2">Отчёты</h1>' in html and '<a href="/">Главная</a>' in html

    switch(client, "en")
    assert "Active mailings" in client.get("/").content.decode()


def test_the_browser_language_is_the_default(client, db):
    html = client.get("/", headers={"accept-language": "ru-RU,ru;q=0.9"}).content.decode()
    assert "Из блога" in html


def test_unknown_language_changes_nothing(client, db):
    switch(client, "xx")
    assert '<html lang="en">' in client.get("/").content.decode()


def test_dates_are_written_the_russian_way(client, manager):
    end = datetime(2025, 3, 15, 9, 30, tzinfo=UTC)
    CronJobLog.objects.create(code=DISPATCH_JOB_CODE, start_time=end, end_time=end, is_success=True)
    client.force_login(manager)
    switch(client, "ru")
    html = client.get("/").content.decode()
    assert "Рассылки не отправляются." in html
    assert "15 марта 2025" in html  # not "March 15, 2025"
    assert "назад" in html


def test_every_message_has_a_russian_translation():
    catalogue = (settings.BASE_DIR / "locale" / "ru" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = catalogue.split("\n\n")[1:]
    untranslated = [entry for entry in entries if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', entry, re.MULTILINE)]
    assert not untranslated
    assert "#, fuzzy" not in catalogue
    mo = settings.BASE_DIR / "locale" / "ru" / "LC_MESSAGES" / "django.mo"
    assert mo.stat().st_mtime >= (mo.parent / "django.po").stat().st_mtime - 1, "compile the catalogue: make messages"
