"""Staff and managers are told when the dispatcher has stopped (cron not set
up or the job failing): then no mailing is sent; and when account emails are
stuck in the outbox or were given up."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_cron.models import CronJobLog

from conftest import make_user
from core.models import OutboxEmail
from web.dispatcher import DISPATCH_JOB_CODE

NOTICE = 'id="dispatcher-notice"'


def log_run(minutes_ago: float, *, success: bool = True, code: str = DISPATCH_JOB_CODE):
    end = timezone.now() - timedelta(minutes=minutes_ago)
    CronJobLog.objects.create(code=code, start_time=end - timedelta(seconds=5), end_time=end, is_success=success)


def home(client) -> str:
    return client.get("/").content.decode()


@pytest.fixture(params=["manager", "admin_user", "staff"])
def watcher(request, db):
    if request.param == "staff":
        return make_user("staff@example.com", is_staff=True)
    return request.getfixturevalue(request.param)


def test_watchers_see_the_notice_when_the_dispatcher_never_ran(client, watcher):
    client.force_login(watcher)
    html = home(client)
    assert NOTICE in html
    assert "The dispatcher has never finished a run." in html


def test_no_notice_while_the_dispatcher_runs(client, manager):
    log_run(minutes_ago=1)
    client.force_login(manager)
    assert NOTICE not in home(client)


def test_notice_after_five_minutes_without_a_successful_run(client, manager):
    log_run(minutes_ago=12)
    log_run(minutes_ago=1, success=False)  # failing runs do not count
    log_run(minutes_ago=1, code="core.statistics")  # nor do other jobs
    client.force_login(manager)
    html = home(client)
    assert NOTICE in html
    assert "The dispatcher last finished a run at" in html and "(12\xa0minutes ago)" in html


def test_plain_users_and_visitors_never_see_it(client, owner):
    assert NOTICE not in home(client)
    client.force_login(owner)
    assert NOTICE not in home(client)


def test_the_state_is_cached_briefly(client, manager):
    client.force_login(manager)
    assert NOTICE in home(client)
    log_run(minutes_ago=0)
    assert NOTICE in home(client)  # still the cached state
    cache.delete("web:dispatcher-last-success")
    assert NOTICE not in home(client)


OUTBOX_NOTICE = 'id="outbox-notice"'


def outbox_email(*, minutes_ago: float, status: str, reason: str = "") -> OutboxEmail:
    when = timezone.now() - timedelta(minutes=minutes_ago)
    return OutboxEmail.objects.create(
        kind="verify_email",
        recipient="someone@example.com",
        subject="Confirm",
        body="…",
        status=status,
        created_at=when,
        last_tried_at=when if reason else None,
        tries=1 if reason else 0,
        reason=reason,
    )


def test_watchers_see_stuck_and_given_up_account_emails_with_the_reason(client, watcher, owner):
    log_run(minutes_ago=1)
    outbox_email(minutes_ago=1, status="pending")  # just written: not stuck
    outbox_email(minutes_ago=30, status="sent", reason="250 OK")
    outbox_email(minutes_ago=60 * 48, status="failed", reason="old news")
    client.force_login(watcher)
    assert OUTBOX_NOTICE not in home(client)

    outbox_email(minutes_ago=10, status="pending", reason="cannot connect to the mail server 127.0.0.1:25: refused")
    outbox_email(minutes_ago=60, status="failed", reason="gave up after 8 tries: timed out")
    cache.clear()  # the look-up is kept 30 seconds
    html = home(client)
    assert OUTBOX_NOTICE in html and NOTICE not in html
    assert "1 email is waiting to be sent" in html and "1 was given up in the last day" in html
    assert "cannot connect to the mail server 127.0.0.1:25: refused" in html
    assert "manage.py outbox" in html

    client.force_login(owner)
    assert OUTBOX_NOTICE not in home(client)


def test_a_run_killed_mid_job_does_not_count_as_finished(client, manager):
    log_run(minutes_ago=12)
    # What a runcrons killed with SIGKILL leaves: django-cron's row written before the job, never rewritten.
    started = timezone.now() - timedelta(minutes=1)
    CronJobLog.objects.create(
        code=DISPATCH_JOB_CODE, start_time=started, end_time=started, is_success=True, message="Job in progress\n"
    )
    client.force_login(manager)
    html = home(client)
    assert NOTICE in html
    assert "(12\xa0minutes ago)" in html
