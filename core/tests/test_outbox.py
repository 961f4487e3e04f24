"""The outbox: account emails are written with the change that caused them,
leave right after it commits without the request waiting, and are retried by
cron with back-off until sent or given up — each arriving once."""

import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from conftest import PASSWORD, make_user
from core.models import OutboxEmail, OutboxStatus, User
from core.outbox import enqueue, send_soon
from core.services.accounts.passwords import password_reset_request
from core.services.accounts.signup import user_register
from core.tests.smtp_peers import PeerHandler, SmtpPeer, free_port

# The background sender needs committed rows and its own database connection.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_server(settings):
    """Point the site's email at an SMTP server on loopback, with short outbox timeouts."""

    def point_at(port: int) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.OUTBOX_CONNECT_TIMEOUT = settings.OUTBOX_READ_TIMEOUT = 2

    return point_at


def senders_done() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("outbox-"):
            thread.join(10)


def run_outbox_job() -> str:
    out = StringIO()
    call_command("runcrons", "core.cron.OutboxJob", "--force", stdout=out)
    return out.getvalue()


def outbox_command(*args) -> str:
    out = StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


def test_a_sign_up_rolled_back_leaves_no_outbox_row_and_sends_nothing(mail_server):
    with SmtpPeer() as peer:
        mail_server(peer.port)
        with pytest.raises(RuntimeError), transaction.atomic():
            user_register(email="gone@example.com", full_name="Gone", password=PASSWORD, time_zone="UTC")
            raise RuntimeError("the request failed after the sign-up")
        senders_done()
        run_outbox_job()
        assert not User.objects.filter(email="gone@example.com").exists()
        assert not OutboxEmail.objects.exists()
        assert peer.handler.received == []


def test_the_email_leaves_right_after_commit_and_cron_does_not_send_it_again(mail_server):
    with SmtpPeer() as peer:
        mail_server(peer.port)
        user_register(email="new@example.com", full_name="New", password=PASSWORD, time_zone="UTC")
        senders_done()
        assert peer.handler.recipients() == ["new@example.com"]
        run_outbox_job()
        assert peer.handler.recipients() == ["new@example.com"]
    email = OutboxEmail.objects.get()
    assert (email.kind, email.status, email.tries) == ("verify_email", OutboxStatus.SENT, 1)
    assert email.sent_at is not None and email.reason.startswith("250")
    message = peer.handler.received[0].message
    assert message["Subject"] == email.subject
    assert "/accounts/verify/" in message.get_body(preferencelist=("plain",)).get_content()
    assert message.get_body(preferencelist=("html",)) is not None


def test_a_server_that_is_down_is_retried_with_back_off_then_given_up_listed_and_retried(mail_server, settings):
    settings.OUTBOX_MAX_TRIES, settings.OUTBOX_BACKOFF_SECONDS = 3, 60
    port = free_port()
    mail_server(port)
    make_user("owner@example.com")
    start = timezone.now()
    password_reset_request(email="owner@example.com")
    senders_done()
    email = OutboxEmail.objects.get()
    assert (email.status, email.tries) == (OutboxStatus.PENDING, 1)
    assert "cannot connect to the mail server" in email.reason
    assert timedelta(seconds=59) < email.next_try_at - start < timedelta(seconds=70)

    run_outbox_job()  # not due yet
    email.refresh_from_db()
    assert email.tries == 1
    with time_machine.travel(start + timedelta(seconds=65)):
        run_outbox_job()
        email.refresh_from_db()
        assert (email.status, email.tries) == (OutboxStatus.PENDING, 2)
        assert timedelta(seconds=119) < email.next_try_at - timezone.now() < timedelta(seconds=121)
    with time_machine.travel(start + timedelta(seconds=200)):
        run_outbox_job()
    email.refresh_from_db()
    assert (email.status, email.tries) == (OutboxStatus.FAILED, 3)
    assert email.reason.startswith("gave up after 3 tries: cannot connect to the mail server")

    listing = outbox_command()
    assert f"#{email.pk} failed password_reset to owner@example.com, 3 tries" in listing
    assert "gave up after 3 tries" in listing
    assert "Queued 1 email(s) again" in outbox_command("--retry", str(email.pk))
    with SmtpPeer(port=port) as peer:  # the server is back
        run_outbox_job()
        run_outbox_job()
        assert peer.handler.recipients() == ["owner@example.com"]
    email.refresh_from_db()
    assert (email.status, email.tries) == (OutboxStatus.SENT, 1)
    assert outbox_command().strip() == "0 email(s)."


def test_a_recipient_refused_for_good_is_given_up_at_once(mail_server):
    handler = PeerHandler(replies={"owner@example.com": "550 5.1.1 No such user"})
    make_user("owner@example.com")
    with SmtpPeer(handler) as peer:
        mail_server(peer.port)
        password_reset_request(email="owner@example.com")
        senders_done()
        run_outbox_job()
    email = OutboxEmail.objects.get()
    assert (email.status, email.tries) == (OutboxStatus.FAILED, 1)
    assert email.reason.startswith("550 5.1.1 No such user")


def test_no_sender_threads_means_none_even_after_some_were_used(settings):
    """OUTBOX_SENDER_THREADS = 0 leaves every email to cron, also in a process
    that sent from threads before (the slots are made once, the setting read each time)."""
    from core import outbox

    settings.OUTBOX_SENDER_THREADS = 2
    assert outbox._sender_slots() is not None
    settings.OUTBOX_SENDER_THREADS = 0
    assert outbox._sender_slots() is None


def test_an_email_leaves_at_once_even_when_another_writer_holds_the_outbox_as_its_sender_starts(mail_server, settings):
    """SQLite refuses a write to a table another transaction is writing ("database table is
    locked") at once: the sender thread tries again a moment later instead of leaving the email
    to the next cron minute. On PostgreSQL its claim waits for the row."""
    settings.OUTBOX_SENDER_THREADS = 0
    email = enqueue(kind="verify_email", recipient="busy@example.com", subject="Welcome", body="Hello")
    settings.OUTBOX_SENDER_THREADS = 2
    holding, release = threading.Event(), threading.Event()

    def another_writer() -> None:
        with transaction.atomic():
            OutboxEmail.objects.filter(pk=email.pk).update(reason="held by another writer")
            holding.set()
            release.wait(5)
        connection.close()

    with SmtpPeer() as peer:
        mail_server(peer.port)
        writer = threading.Thread(target=another_writer)
        writer.start()
        assert holding.wait(5)
        send_soon(email.pk)
        time.sleep(0.3)
        release.set()
        writer.join(5)
        senders_done()
        assert peer.handler.recipients() == ["busy@example.com"]
    email.refresh_from_db()
    assert (email.status, email.tries) == (OutboxStatus.SENT, 1)
