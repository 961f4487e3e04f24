"""`manage.py send_mailing ID`: sends a mailing's due run (or, with --now, an
extra one) with progress and a summary; --dry-run writes and sends nothing;
exit status 2 when the mail server cannot be reached."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.models import Attempt, AttemptStatus
from core.tests.conftest import make_mailing
from core.tests.smtp_peers import PeerHandler, SmtpPeer, free_port


@pytest.fixture
def smtp_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.DISPATCH_CONNECT_TIMEOUT = 0.5
    settings.DISPATCH_READ_TIMEOUT = 0.5
    return settings


def _run(*args) -> str:
    out = StringIO()
    call_command("send_mailing", *map(str, args), stdout=out, stderr=out)
    return out.getvalue()


def test_sends_the_due_run_and_prints_a_summary(owner, smtp_settings):
    handler = PeerHandler(replies={"c1@example.com": "550 5.1.1 unknown", "c2@example.com": "452 4.2.2 full"})
    mailing = make_mailing(owner, 4)
    with SmtpPeer(handler) as peer:
        smtp_settings.EMAIL_PORT = peer.port
        output = _run(mailing.pk)

    assert sorted(handler.recipients()) == ["c0@example.com", "c3@example.com"]
    assert "… 2 sent, 1 failed, 1 retrying" in output
    assert (
        f"Mailing #{mailing.pk}: 2 sent, 1 failed, 1 retrying later, "
        "0 skipped (unsubscribed or suppressed), 1 pending in total" in output
    )


def test_future_mailing_sends_nothing_without_now_and_an_extra_run_with_now(owner, smtp_settings):
    mailing = make_mailing(owner, 2, start_at=datetime.now(UTC) + timedelta(days=2), periodicity="weekly")
    with SmtpPeer() as peer:
        smtp_settings.EMAIL_PORT = peer.port
        output = _run(mailing.pk)
        assert peer.handler.received == []
        assert "0 sent" in output
        output = _run(mailing.pk, "--now")

    assert "Planned a run at" in output
    assert len(peer.handler.received) == 2
    mailing.refresh_from_db()
    assert mailing.next_run_at == mailing.start_at  # the schedule is left as it was


def test_dry_run_lists_recipients_and_subjects_and_writes_nothing(owner, smtp_settings):
    mailing = make_mailing(owner, 2, subject="Offer for {full_name}")
    smtp_settings.EMAIL_PORT = free_port()
    output = _run(mailing.pk, "--dry-run")

    assert "would be sent to 2 recipient(s)" in output
    assert "Client 0 <c0@example.com>: Offer for Client 0" in output
    assert not Attempt.objects.exists()
    mailing.refresh_from_db()
    assert mailing.last_run_at is None


def test_resend_failed_queues_failed_attempts_and_sends_them(owner, smtp_settings):
    # A refusal that is not "no such user" (that one would suppress the address)
    # nor a 5.7.x policy refusal (that one refuses our sending, not the recipient).
    handler = PeerHandler(replies={"c0@example.com": "550 5.2.1 Mailbox disabled"})
    mailing = make_mailing(owner, 2)
    with SmtpPeer(handler) as peer:
        smtp_settings.EMAIL_PORT = peer.port
        _run(mailing.pk)
        handler.replies.clear()
        output = _run(mailing.pk, "--resend-failed")

    assert "Queued 1 failed client(s) again as a resend run; left out 0 unsubscribed and 0 suppressed." in output
    assert handler.recipients().count("c0@example.com") == 1
    statuses = sorted(Attempt.objects.filter(client__email="c0@example.com").values_list("status", flat=True))
    assert statuses == [AttemptStatus.FAILURE, AttemptStatus.SUCCESS]  # the failure stays in the history


def test_unreachable_server_exits_with_status_2_and_keeps_attempts_pending(owner, smtp_settings):
    mailing = make_mailing(owner, 3)
    smtp_settings.EMAIL_PORT = free_port()
    with pytest.raises(SystemExit) as exited:
        _run(mailing.pk)
    assert exited.value.code == 2
    assert set(Attempt.objects.values_list("status", flat=True)) == {AttemptStatus.PENDING}


def test_unknown_or_disabled_mailing_is_an_error(owner):
    with pytest.raises(CommandError, match="There is no mailing #999"):
        _run(999)
    mailing = make_mailing(owner, 1, is_active=False)
    with pytest.raises(CommandError, match="disabled"):
        _run(mailing.pk)
