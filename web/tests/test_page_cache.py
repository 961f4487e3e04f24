"""Whole pages from the cache (web/page_cache.py): a page loaded again is served
without rendering, its forms still post (the CSRF token is the request's own);
a write to the reader's own data (or, for a manager, anyone's), a change to
their account or role, another reader, waiting messages, a stopped dispatcher
or a mailing's next run coming makes the page fresh — and another owner's
writes, a dispatcher sending another owner's mailing among them, do not.

Transactional tests: the versions move on when a write commits."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_cron.models import CronJobLog

from api.tests.conftest import HX
from core import roles
from core.dispatch.planning import plan_one
from core.models import OutboxEmail
from core.services.mailings import mailing_set_active
from core.tests.conftest import dispatch_due, make_mailing
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory
from web.dispatcher import DISPATCH_JOB_CODE, OUTBOX_CACHE_KEY

pytestmark = pytest.mark.django_db(transaction=True)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.DATA_CACHE_SECONDS = 60


def dispatcher_ran(minutes_ago):
    end = timezone.now() - timedelta(minutes=minutes_ago)
    CronJobLog.objects.create(code=DISPATCH_JOB_CODE, start_time=end, end_time=end, is_success=True)


@pytest.fixture(autouse=True)
def _dispatcher_running():
    """Managers see a notice while the dispatcher is stopped, and their pages are then rendered afresh."""
    dispatcher_ran(minutes_ago=1)


DATA_TABLES = re.compile(r'"core_(client|message|mailing\w*|attempt|runstats|dailystats)"')


def load(client, url):
    """The page's HTML, and whether it was rendered (it read the service's data
    or rendered a template) rather than served from the cache."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    rendered = bool(response.templates) or any(DATA_TABLES.search(query["sql"]) for query in captured)
    return response.content.decode(), rendered


def without_tokens(html):
    return TOKEN.sub("", re.sub(r'"X-CSRFToken": "[^"]+"', "", html))


@pytest.mark.parametrize("url", ["/mailings/", "/clients/", "/messages/", "/reports/", "/manager/mailings/"])
def test_a_page_loaded_again_is_not_rendered_again(client, manager, url):
    ClientFactory(owner=manager, email="kept@example.com")
    client.force_login(manager)
    fresh, fresh_rendered = load(client, url)
    cached, cached_rendered = load(client, url)
    assert without_tokens(cached) == without_tokens(fresh)
    assert fresh_rendered and not cached_rendered
    assert "page-cache-csrf" not in cached + fresh  # the placeholder never reaches a reader


def test_a_cached_pages_forms_post_with_its_token(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    browser.get("/clients/")
    html = browser.get("/clients/").content.decode()  # from the cache
    token = TOKEN.search(html).group(1)
    assert re.search(r'"X-CSRFToken": "' + token, html)  # htmx sends the same token
    answer = browser.post("/i18n/setlang/", {"language": "ru", "next": "/clients/", "csrfmiddlewaretoken": token})
    assert answer.status_code == 302
    assert "Клиенты" in browser.get("/clients/").content.decode()  # and the language is part of the key


def test_a_write_makes_the_next_load_fresh(client, owner):
    client.force_login(owner)
    assert "new@example.com" not in load(client, "/clients/")[0]
    load(client, "/clients/")
    created = client.post("/api/clients/", {"email": "new@example.com", "full_name": "New One"}, **HX)
    assert created.status_code == 201
    assert "new@example.com" in load(client, "/clients/")[0]


def test_readers_never_share_a_page(client, owner, other_user):
    ClientFactory(owner=owner, email="mine@example.com")
    ClientFactory(owner=other_user, email="theirs@example.com")
    client.force_login(owner)
    assert "mine@example.com" in load(client, "/clients/")[0]
    client.force_login(other_user)
    html = load(client, "/clients/")[0]
    assert "theirs@example.com" in html and "mine@example.com" not in html
    assert "other@example.com" in html  # the navbar names the reader


def with_message(client, text):
    storage = CookieStorage(HttpRequest())
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, text)])


def test_waiting_messages_are_shown_once_and_never_kept(client, owner):
    client.force_login(owner)
    load(client, "/mailings/")
    with_message(client, "Mailing deleted.")
    assert "Mailing deleted." in load(client, "/mailings/")[0]
    assert "Mailing deleted." not in load(client, "/mailings/")[0]
    assert "Mailing deleted." not in load(client, "/mailings/")[0]


def test_the_dispatcher_notice_appears_on_a_cached_page_as_soon_as_it_stops(client, manager, settings):
    settings.DATA_CACHE_SECONDS = 3600  # the entry outlives the trip in time
    client.force_login(manager)
    assert 'id="dispatcher-notice"' not in load(client, "/mailings/")[0]
    assert 'id="dispatcher-notice"' not in load(client, "/mailings/")[0]
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        html = load(client, "/mailings/")[0]
    assert 'id="dispatcher-notice"' in html and "The dispatcher last finished a run" in html


def test_the_outbox_notice_appears_on_a_cached_page_once_account_emails_are_stuck(client, manager, settings):
    settings.DATA_CACHE_SECONDS = 3600  # the entry outlives the trip in time
    client.force_login(manager)
    load(client, "/mailings/")
    html, rendered = load(client, "/mailings/")
    assert 'id="outbox-notice"' not in html and not rendered
    OutboxEmail.objects.create(
        kind="password_reset",
        recipient="someone@example.com",
        subject="Reset",
        body="…",
        created_at=timezone.now() - timedelta(minutes=10),
        reason="cannot connect to the mail server",
    )
    cache.delete(OUTBOX_CACHE_KEY)  # the look-up is kept 30 s (time travel would not move Redis' expiry)
    assert 'id="outbox-notice"' in load(client, "/mailings/")[0]
    html, rendered = load(client, "/mailings/")
    assert 'id="outbox-notice"' in html and rendered


def test_a_mailings_page_is_kept_only_until_its_next_run(client, owner, settings):
    settings.DATA_CACHE_SECONDS = 3600  # the entry would outlive the trip in time
    mailing = MailingFactory(owner=owner, start_at=timezone.now() + timedelta(minutes=5))
    mailing.next_run_at = mailing.start_at
    mailing.save()
    client.force_login(owner)
    url = f"/mailings/{mailing.pk}/"
    assert "Not sent yet." in load(client, url)[0]
    html, rendered = load(client, url)
    assert "Not sent yet." in html and not rendered
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        html = load(client, url)[0]
    assert "Due now: waiting for the dispatcher" in html


def test_the_cache_is_off_without_a_shared_cache(client, owner, settings):
    settings.DATA_CACHE_SECONDS = 0
    client.force_login(owner)
    load(client, "/clients/")
    assert load(client, "/clients/")[1]  # rendered again


def test_a_query_string_the_page_does_not_read_makes_no_entry_of_its_own(client, owner):
    client.force_login(owner)
    assert load(client, "/clients/")[1]
    loads = [load(client, f"/clients/?junk={number}") for number in range(300)]
    assert not any(rendered for _, rendered in loads)  # one page, one entry
    assert 'name="next" value="/clients/"' in loads[-1][0]  # the language switcher returns to the page itself


def test_a_page_is_kept_per_query_it_reads_and_serves_what_was_asked(client, owner):
    ClientFactory(owner=owner, email="anna@example.com", full_name="Anna Lee")
    ClientFactory(owner=owner, email="boris@example.com", full_name="Boris Stone")
    client.force_login(owner)
    whole, _ = load(client, "/clients/")
    assert "anna@example.com" in whole and "boris@example.com" in whole

    searched, rendered = load(client, "/clients/?search=anna&junk=1")
    assert rendered  # a query the page reads is a page of its own, not the cached /clients/
    assert "anna@example.com" in searched and "boris@example.com" not in searched
    again, rendered = load(client, "/clients/?junk=2&search=anna")
    assert not rendered and "boris@example.com" not in again


def logged_in(user):
    browser = Client()
    browser.force_login(user)
    return browser


def test_another_owners_writes_leave_a_page_warm(owner, other_user):
    mine = logged_in(owner)
    load(mine, "/clients/")
    theirs = make_mailing(other_user, 2)
    ClientFactory(owner=other_user, email="theirs@example.com")
    mailing_set_active(mailing=theirs, active=False, by=other_user)
    html, rendered = load(mine, "/clients/")
    assert not rendered and "theirs@example.com" not in html
    assert "theirs@example.com" in load(logged_in(other_user), "/clients/")[0]


FINISHED = 'text-bg-success">Finished</span>'  # a mailing's status badge


def test_a_dispatcher_sending_another_owners_mailing_leaves_a_page_warm(owner, other_user, manager):
    make_mailing(owner, 1, start_at=timezone.now() + timedelta(days=1))
    sending = make_mailing(other_user, 3)
    plan_one(timezone.now())  # its run is planned, its attempts wait for the dispatcher
    mine, theirs, managers = logged_in(owner), logged_in(other_user), logged_in(manager)
    for browser, url in [(mine, "/mailings/"), (theirs, f"/mailings/{sending.pk}/"), (managers, "/manager/mailings/")]:
        assert FINISHED not in load(browser, url)[0]
        assert not load(browser, url)[1]

    assert dispatch_due() == 3

    assert not load(mine, "/mailings/")[1]  # the owner whose data did not change
    html, rendered = load(theirs, f"/mailings/{sending.pk}/")  # the owner whose mailing was sent
    assert rendered and FINISHED in html
    assert load(managers, "/manager/mailings/")[1]  # everyone's data changed


def test_an_owners_write_shows_on_their_next_load_and_a_managers(owner, manager):
    mine, managers = logged_in(owner), logged_in(manager)
    load(mine, "/mailings/")
    load(managers, "/manager/mailings/")
    mailing = MailingFactory(owner=owner, message=MessageFactory(owner=owner, subject="Autumn news"))
    assert "Autumn news" in load(mine, "/mailings/")[0]
    assert "Autumn news" in load(managers, "/manager/mailings/")[0]
    mailing_set_active(mailing=mailing, active=False, by=owner)
    for browser, url in [(mine, "/mailings/"), (managers, "/manager/mailings/")]:
        html, rendered = load(browser, url)
        assert rendered and "Disabled" in html


def test_a_write_that_rolls_back_keeps_the_page(owner):
    mine = logged_in(owner)
    load(mine, "/clients/")
    with pytest.raises(RuntimeError), transaction.atomic():
        ClientFactory(owner=owner, email="never@example.com")
        raise RuntimeError
    html, rendered = load(mine, "/clients/")
    assert not rendered and "never@example.com" not in html


def test_a_demoted_manager_loses_the_page_on_the_next_request(manager):
    managers = logged_in(manager)
    load(managers, "/manager/mailings/")
    manager.groups.set([Group.objects.get(name=roles.USER)])
    assert managers.get("/manager/mailings/").status_code == 403


def test_a_role_that_loses_a_permission_loses_the_page_on_the_next_request(manager):
    managers = logged_in(manager)
    load(managers, "/manager/mailings/")
    Group.objects.get(name=roles.MANAGER).permissions.remove(Permission.objects.get(codename="view_all_mailings"))
    assert managers.get("/manager/mailings/").status_code == 403


def test_a_blocked_owner_is_out_on_the_next_request(owner, manager):
    from core.services.users import user_set_blocked

    mine = logged_in(owner)
    load(mine, "/clients/")
    user_set_blocked(user=owner, blocked=True, by=manager)
    assert mine.get("/clients/").status_code == 302  # sent to log in
