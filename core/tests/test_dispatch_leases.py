"""Fenced leases: a dispatcher writes only what it still holds. A result that
lost its lease (another dispatcher claimed the rows again) is reported, never
written over the other's; a batch slower than its lease renews it; settings
where a rate-limited batch outlives its lease are refused at start."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.dispatch.claiming import claim_batch
from core.dispatch.planning import plan_one
from core.dispatch.sending import MessageCache, send_batch
from core.dispatch.transport import SmtpTransport
from core.models import Attempt, AttemptStatus
from core.tests.conftest import fast_config, make_mailing
from core.tests.smtp_peers import RepeatRefusingHandler, SmtpPeer
from core.tests.test_dispatch_concurrency import _mailing, _send_mailing
from core.tests.test_settings import PRODUCTION, run


def _transport(config, peer) -> SmtpTransport:
    return SmtpTransport(config, host="127.0.0.1", port=peer.port)


class ReclaimedBeforeFirstSend:
    """The slow dispatcher's transport: before its first message goes out, its
    lease has run out and another dispatcher claims the rows and sends them all."""

    def __init__(self, inner, other):
        self.inner, self.other, self.result = inner, other, None

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def send(self, envelope_from, message, ready=None, then=None, then_from=None):
        if self.result is None:
            later = timezone.now() + timedelta(seconds=2)
            claimed = claim_batch(now=later, lease_until=later + timedelta(minutes=5), size=10)
            config = fast_config()
            self.result = send_batch(claimed, transport=self.other, messages=MessageCache(), config=config)
        return self.inner.send(envelope_from, message, ready=ready, then=then, then_from=then_from)


def test_a_result_that_lost_its_lease_is_reported_not_written_over_the_new_holders(owner):
    mailing = make_mailing(owner, 5)
    plan_one(timezone.now())
    config = fast_config()
    handler = RepeatRefusingHandler()
    with SmtpPeer(handler) as peer:
        now = timezone.now()
        slow = claim_batch(now=now, lease_until=now + timedelta(seconds=1), size=10)
        transport = ReclaimedBeforeFirstSend(_transport(config, peer), other=_transport(config, peer))
        result = send_batch(slow, transport=transport, messages=MessageCache(), config=config)

    assert transport.result.counts["sent"] == 5
    assert 1 <= handler.repeats <= 5  # the slow one sent again (until it looked), and the relay refused
    assert result.counts["lost"] == 5
    assert result.counts["retrying"] == result.counts["sent"] == 0
    attempts = Attempt.objects.filter(mailing=mailing)
    assert {(a.status, a.tries, a.smtp_code) for a in attempts} == {(AttemptStatus.SUCCESS, 1, 250)}


class ClaimingMidway:
    """A transport that lets a second dispatcher try to claim after the n-th message."""

    def __init__(self, inner, after: int):
        self.inner, self.after, self.sent, self.seen = inner, after, 0, None

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def send(self, envelope_from, message, ready=None, then=None, then_from=None):
        outcome = self.inner.send(envelope_from, message, ready=ready, then=then, then_from=then_from)
        self.sent += 1
        if self.sent == self.after:
            now = timezone.now()
            self.seen = claim_batch(now=now, lease_until=now + timedelta(minutes=5), size=100)
        return outcome


def test_a_batch_slower_than_its_lease_renews_it_and_is_not_claimed_again(owner):
    mailing = make_mailing(owner, 10)
    plan_one(timezone.now())
    config = fast_config(lease_seconds=1)
    with SmtpPeer(RepeatRefusingHandler(hang_seconds=0.2)) as peer:
        transport = ClaimingMidway(_transport(config, peer), after=8)  # 1.6 s into a one-second lease
        claimed = claim_batch(now=timezone.now(), lease_until=timezone.now() + config.lease, size=100)
        result = send_batch(claimed, transport=transport, messages=MessageCache(), config=config)

    assert transport.seen == []
    assert result.counts["sent"] == 10
    assert Counter(peer.handler.recipients()) == {f"c{i}@example.com": 1 for i in range(10)}
    assert Attempt.objects.filter(mailing=mailing, status=AttemptStatus.SUCCESS).count() == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two dispatcher processes need PostgreSQL")
def test_two_dispatchers_with_a_lease_shorter_than_a_batch_send_each_message_once(owner):
    mailing = _mailing(owner, 60)
    options = {"DISPATCH_BATCH_SIZE": "20", "DISPATCH_LEASE_SECONDS": "1"}
    with SmtpPeer(RepeatRefusingHandler(hang_seconds=0.1)) as peer:
        workers = [_send_mailing(mailing.pk, peer.port, **options) for _ in range(2)]
        outputs = [worker.communicate(timeout=100)[0] for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert peer.handler.repeats == 0, outputs
    assert Counter(peer.handler.recipients()) == {f"r{i}@example.com": 1 for i in range(60)}
    assert Attempt.objects.filter(mailing=mailing, status=AttemptStatus.SUCCESS).count() == 60


def test_a_rate_limited_batch_that_would_outlive_its_lease_is_refused_at_start():
    result = run("manage.py check", **PRODUCTION, DISPATCH_RATE_LIMIT="1")
    assert result.returncode != 0
    assert "DISPATCH_BATCH_SIZE / DISPATCH_RATE_LIMIT = 500 / 1 = 500 s reaches DISPATCH_LEASE_SECONDS = 300 s" in (
        result.stderr
    )
    assert run("manage.py check", **PRODUCTION, DISPATCH_RATE_LIMIT="2").returncode == 0


@pytest.mark.parametrize("command", ["runcrons", "send_mailing 1"])
def test_the_sending_commands_check_at_start_what_sending_needs_and_only_that(command):
    """Cron starts `runcrons` every minute: it refuses settings whose batch would outlive its
    lease, as `manage.py check` does, without the site's other checks (they load the URL
    configuration, the admin and the templates, for nothing sending uses)."""
    code = (
        "import sys\n"
        "from django.core.management import execute_from_command_line\n"
        "try:\n"
        f"    execute_from_command_line(['manage.py', *{command.split()!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('urls loaded' if 'core.urls' in sys.modules else 'urls not loaded')\n"
    )
    result = run(code, **PRODUCTION, DISPATCH_RATE_LIMIT="1")
    assert "a batch would outlive its lease" in result.stderr
    assert result.stdout.strip() == "urls not loaded"
