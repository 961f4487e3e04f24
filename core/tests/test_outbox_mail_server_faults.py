"""The site stays up when the mail server hangs, is down or is slow: sign-up,
"send the link again" and password reset answer at once, and once the server
is back cron delivers every queued email exactly once. (The same under
gunicorn, with a page requested meanwhile: test_outbox_under_gunicorn.py.)"""

import threading
import time
from collections import Counter
from contextlib import contextmanager
from io import StringIO

import pytest
from django.conf import settings as site_settings
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import PASSWORD, make_user
from core.models import OutboxEmail, OutboxStatus
from core.tests.smtp_peers import PeerHandler, SilentPeer, SmtpPeer, free_port

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        site_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
        reason="requests and the outbox's sender threads write at once: the in-memory SQLite test database "
        "refuses a second writer at once ('table is locked') where a SQLite file or PostgreSQL waits; "
        "this runs on PostgreSQL, and on a SQLite file under gunicorn in test_outbox_under_gunicorn.py",
    ),
]

FAST = 1.0  # seconds: what "answers at once" means here


# Each yields its port and the list of what it received.
@contextmanager
def hanging_server():
    with SilentPeer() as peer:
        yield peer.port, []


@contextmanager
def server_down():
    yield free_port(), []


@contextmanager
def slow_server():
    with SmtpPeer(PeerHandler(command_delay=0.3)) as peer:
        yield peer.port, peer.handler.received


FAULTS = {"hangs": hanging_server, "down": server_down, "slow": slow_server}


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def outbox_job() -> None:
    call_command("runcrons", "core.cron.OutboxJob", "--force", stdout=StringIO())


def senders_done() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("outbox-"):
            thread.join(10)


@pytest.mark.parametrize("fault", FAULTS)
def test_account_emails_never_wait_on_the_mail_server_and_arrive_once_it_is_back(fault, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.OUTBOX_CONNECT_TIMEOUT = settings.OUTBOX_READ_TIMEOUT = 2
    settings.OUTBOX_BACKOFF_SECONDS = 0  # retry as soon as cron runs
    make_user("late@example.com", email_verified_at=None)
    make_user("owner@example.com")
    api = APIClient()
    with FAULTS[fault]() as (port, received_meanwhile):
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        requests = {
            "sign-up": lambda: api.post(
                reverse("api:auth:register"),
                {"email": "new@example.com", "full_name": "New", "password": PASSWORD, "time_zone": "UTC"},
                format="json",
            ),
            "resend": lambda: api.post(
                reverse("api:auth:resend-activation"), {"email": "late@example.com"}, format="json"
            ),
            "reset": lambda: api.post(
                reverse("api:auth:reset-password"), {"email": "owner@example.com"}, format="json"
            ),
        }
        for name, request in requests.items():
            response, seconds = timed(request)
            assert response.status_code in (201, 204), name
            assert seconds < FAST, f"{name} took {seconds:.2f} s"
        senders_done()
    # The server is back (on the same port): cron sends what is left.
    with SmtpPeer(port=port) as peer:
        outbox_job()
    received = Counter(rcpt for item in [*received_meanwhile, *peer.handler.received] for rcpt in item.rcpt_tos)
    assert received == {"new@example.com": 1, "late@example.com": 1, "owner@example.com": 1}
    assert list(OutboxEmail.objects.values_list("status", flat=True)) == [OutboxStatus.SENT] * 3
    if fault == "slow":  # the background senders got theirs through, slowly; cron took the one left over
        assert len(received_meanwhile) == settings.OUTBOX_SENDER_THREADS
