"""Fill the database with demo data, idempotently: running it twice changes nothing."""

import random
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from blog.models import Post
from core import roles
from core.models import (
    Attempt,
    AttemptStatus,
    Client,
    ClientList,
    Mailing,
    MailingStatus,
    Message,
    Periodicity,
    User,
)
from core.services.stats import mark_runs_stale

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed on purpose: demo accounts

ACCOUNTS = [
    # email, full name, time zone, role (None = admin)
    ("admin@example.com", "Ada Admin", "UTC", None),
    ("manager@example.com", "Max Manager", "Europe/Berlin", roles.MANAGER),
    ("content@example.com", "Clara Content", "Europe/Moscow", roles.CONTENT_MANAGER),
    ("alice@example.com", "Alice Owner", "Europe/Berlin", roles.USER),
    ("bob@example.com", "Bob Owner", "America/New_York", roles.USER),
]

FIRST_NAMES = ["Anna", "Boris", "Chen", "Dmitry", "Elena", "Farid", "Greta", "Hugo", "Irina", "José", "Kofi", "Lena"]
LAST_NAMES = ["Ivanova", "Smith", "Müller", "Petrov", "García", "Nakamura", "Okafor", "Rossi", "Kowalski", "Novak"]

POSTS = [
    (
        "Five emails that keep customers coming back",
        "Welcome, thank-you, reminder, re-engagement and a monthly digest: how to use each one.",
        "## Why warm-up mailings work\n\nCustomers who hear from you *regularly* come back more often.\n\n"
        "1. **Welcome** — the first hours matter.\n2. **Thank you** — after a purchase.\n"
        "3. **Reminder** — a gentle nudge.\n4. **Re-engagement** — for the quiet ones.\n"
        "5. **Digest** — once a month.\n",
        True,
    ),
    (
        "Scheduling mailings across time zones",
        "A daily 09:00 mailing should arrive at 09:00 — also after the clocks change.",
        "Daylight saving time moves the clocks twice a year. Our scheduler keeps **wall-clock time** "
        "in your own time zone, so 09:00 stays 09:00.\n",
        True,
    ),
    (
        "Reading your mailing reports",
        "Sent, failed, pending: what each number means and what to do about it.",
        "Every send to every client leaves an *attempt* with the mail server's answer. "
        "A failure shows the server's reply, so you know whether an address is dead or the server was busy.\n",
        True,
    ),
    (
        "Draft: subject lines that get opened",
        "Not published yet.",
        "Work in progress.\n",
        False,
    ),
]


class Command(BaseCommand):
    help = "Create demo users (with known passwords), clients, messages, mailings, attempts and blog posts."

    def handle(self, *args, **options):
        rng = random.Random(2026)
        with transaction.atomic():
            users = {email: self._user(email, name, tz, role) for email, name, tz, role in ACCOUNTS}
            for email in ("alice@example.com", "bob@example.com", "manager@example.com"):
                self._owner_data(users[email], rng)
                self._lists(users[email])
            self._posts(users["content@example.com"])
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with any of these (password for all):"))
        for email, _name, _tz, role in ACCOUNTS:
            self.stdout.write(f"  {email:<24} {DEMO_PASSWORD}   ({role or 'Admin'})")

    def _user(self, email, full_name, time_zone, role):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            extra = {"full_name": full_name, "time_zone": time_zone, "email_verified_at": timezone.now()}
            if role is None:
                user = User.objects.create_superuser(email, DEMO_PASSWORD, **extra)
            else:
                user = User.objects.create_user(email, DEMO_PASSWORD, **extra)
        if role is not None:
            user.groups.add(Group.objects.get(name=role))
        return user

    def _owner_data(self, owner, rng):
        if owner.clients.exists():
            return
        local = owner.email.split("@")[0]
        clients = Client.objects.bulk_create(
            Client(
                owner=owner,
                email=f"{local}.client{i:02d}@example.com",
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                comment="VIP" if i % 7 == 0 else "",
            )
            for i in range(1, 21)
        )
        welcome = Message.objects.create(
            owner=owner,
            subject="Welcome aboard, {full_name}!",
            body="Hello {full_name},\n\nthank you for joining us. We will write to {email} now and then.\n",
        )
        digest = Message.objects.create(
            owner=owner, subject="Our monthly digest", body="Hello {full_name},\n\nhere is what happened this month.\n"
        )
        weekly = Message.objects.create(
            owner=owner, subject="This week's offers", body="Hi {full_name}, this week's offers are in.\n"
        )
        now = timezone.now().replace(second=0, microsecond=0)

        finished = self._mailing(owner, welcome, clients[:12], now - timedelta(days=10), None, Periodicity.ONCE)
        finished.status, finished.last_run_at = MailingStatus.FINISHED, finished.start_at
        finished.save(update_fields=["status", "last_run_at"])
        self._attempts(finished, [finished.start_at], rng)

        running = self._mailing(owner, weekly, clients, now - timedelta(days=15), None, Periodicity.WEEKLY)
        runs = [running.start_at, running.start_at + timedelta(days=7), running.start_at + timedelta(days=14)]
        running.status, running.last_run_at, running.next_run_at = (
            MailingStatus.RUNNING,
            runs[-1],
            runs[-1] + timedelta(days=7),
        )
        running.save(update_fields=["status", "last_run_at", "next_run_at"])
        self._attempts(running, runs, rng)

        created = self._mailing(
            owner, digest, clients[5:], now + timedelta(days=3), now + timedelta(days=180), Periodicity.MONTHLY
        )
        created.next_run_at = created.start_at
        created.save(update_fields=["next_run_at"])

        disabled = self._mailing(owner, weekly, clients[:5], now + timedelta(days=1), None, Periodicity.DAILY)
        disabled.is_active, disabled.next_run_at = False, disabled.start_at
        disabled.save(update_fields=["is_active", "next_run_at"])

    @staticmethod
    def _lists(owner):
        """Two lists and a weekly mailing to one of them (also for a database seeded before lists existed)."""
        if owner.client_lists.exists():
            return
        clients = list(owner.clients.order_by("email"))
        newsletter = ClientList.objects.create(
            owner=owner, name="Newsletter", description="Clients who asked for the weekly newsletter."
        )
        newsletter.clients.set(clients[: len(clients) * 2 // 3])
        vip = ClientList.objects.create(owner=owner, name="VIP", description="Our best customers.")
        vip.clients.set([client for client in clients if client.comment == "VIP"])
        message = Message.objects.create(
            owner=owner,
            subject="The weekly newsletter",
            body="Hello {full_name},\n\nhere is this week's news, sent to everyone on our newsletter list.\n",
        )
        start_at = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
        mailing = Mailing.objects.create(
            owner=owner, message=message, start_at=start_at, periodicity=Periodicity.WEEKLY, next_run_at=start_at
        )
        mailing.lists.set([newsletter])

    @staticmethod
    def _mailing(owner, message, clients, start_at, end_at, periodicity):
        mailing = Mailing.objects.create(
            owner=owner, message=message, start_at=start_at, end_at=end_at, periodicity=periodicity
        )
        mailing.clients.set(clients)
        return mailing

    @staticmethod
    def _attempts(mailing, runs, rng):
        rows = []
        for run_at in runs:
            for client in mailing.clients.all():
                ok = rng.random() < 0.88
                rows.append(
                    Attempt(
                        mailing=mailing,
                        client=client,
                        run_at=run_at,
                        status=AttemptStatus.SUCCESS if ok else AttemptStatus.FAILURE,
                        tries=1 if ok else 3,
                        attempted_at=run_at + timedelta(seconds=rng.randint(1, 90)),
                        smtp_code=250 if ok else 550,
                        server_response="250 2.0.0 Ok: queued"
                        if ok
                        else "550 5.1.1 <recipient>: Recipient address rejected",
                    )
                )
        Attempt.objects.bulk_create(rows, ignore_conflicts=True)
        mark_runs_stale((mailing.pk, run_at) for run_at in runs)  # the statistics job rolls them up

    @staticmethod
    def _posts(author):
        now = timezone.now()
        for index, (title, excerpt, body, published) in enumerate(POSTS):
            slug = "-".join(title.lower().replace(":", "").split())[:80]
            Post.objects.get_or_create(
                slug=slug,
                defaults={
                    "title": title,
                    "excerpt": excerpt,
                    "body": body,
                    "author": author,
                    "is_published": published,
                    "published_at": now - timedelta(days=3 * (len(POSTS) - index)) if published else None,
                },
            )
