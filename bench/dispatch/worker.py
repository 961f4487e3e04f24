"""One phase of the dispatch benchmark, run in its own process by run.py.

The database comes from DATABASE_URL and the SMTP sink from EMAIL_HOST /
EMAIL_PORT, like the service itself. Each phase prints one JSON line."""

import json
import os
import resource
import smtplib
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.mail import EmailMessage, get_connection  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

SUBJECT = "Grüße, {full_name}: our June news"
BODY = (
    "Hello {full_name},\n\nthank you for staying with us. This month: new prices, a café corner and "
    "opening hours for the holidays.\n\nThis message was sent to {email}.\n— The shop team\n"
)


# The Markdown message of the tracked-links figure: four links (one twice), an image, a list.
MARKDOWN_BODY = (
    "# Hello {full_name}\n\nThank you for staying with us. This month: [new prices](https://shop.example/prices), "
    "a [café corner](https://shop.example/cafe?utm_source=mail&utm_campaign=june) and "
    "[opening hours](https://shop.example/hours) for the holidays.\n\n"
    "- **Prices**: see [the list](https://shop.example/prices)\n- Questions? [Write to us](mailto:shop@example.com)\n"
    "- Your address with us: {email}\n\n![The shop](https://shop.example/shop.jpg)\n\n"
    "[Visit the shop](https://shop.example/) — the shop team\n"
)


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def recipients(count: int, offset: int = 0):
    return [(f"r{i}@example.com", f"Jürgen Recipient {i}") for i in range(offset, offset + count)]


def setup(count: int, owner_email: str, kind: str = "plain") -> dict:
    """`kind` "tracked-markdown": a Markdown message with click and open tracking on."""
    from core.models import Client, Mailing, MailingRecipient, Message, MessageFormat, User

    call_command("migrate", verbosity=0)
    owner = User.objects.create_user(owner_email, "bench-pass-123456", full_name="Bench Owner")
    tracked = kind == "tracked-markdown"
    message = Message.objects.create(
        owner=owner,
        subject=SUBJECT,
        body=MARKDOWN_BODY if tracked else BODY,
        format=MessageFormat.MARKDOWN if tracked else MessageFormat.PLAIN,
    )
    now = timezone.now()
    # Not due until a phase resets it, so that only the mailing being measured is sent.
    mailing = Mailing.objects.create(
        owner=owner,
        message=message,
        start_at=now,
        next_run_at=None,
        is_active=False,
        track_clicks=tracked,
        track_opens=tracked,
    )
    for start in range(0, count, 5000):
        with transaction.atomic():
            clients = Client.objects.bulk_create(
                [
                    Client(owner=owner, email=f"{owner.pk}-{email}", full_name=name)
                    for email, name in recipients(min(5000, count - start), start)
                ]
            )
            MailingRecipient.objects.bulk_create([MailingRecipient(mailing=mailing, client=c) for c in clients])
    return {"mailing": mailing.pk}


def reset(mailing_id: int) -> dict:
    from core.models import Attempt, Mailing, RunStats

    now = timezone.now() - timedelta(minutes=1)
    Attempt.objects.filter(mailing_id=mailing_id).delete()
    RunStats.objects.filter(mailing_id=mailing_id).delete()
    Mailing.objects.filter(pk=mailing_id).update(
        start_at=now, next_run_at=now, last_run_at=None, planning_run_at=None, status="created", is_active=True
    )
    return {}


def plan(mailing_id: int) -> dict:
    from core.dispatch.planning import plan_one

    started = time.time()
    plan_one(timezone.now(), mailing_id=mailing_id)
    return {"seconds": time.time() - started}


def plan_and_claim(mailing_id: int, claims: int) -> dict:
    """A reset run planned (timed), then the first claims right after it, as the
    cron's dispatcher makes them (any mailing, a default batch each; timed)."""
    from core.dispatch.claiming import claim_batch
    from core.dispatch.planning import plan_one

    reset(mailing_id)
    started = time.perf_counter()
    plan_one(timezone.now(), mailing_id=mailing_id)
    planned = time.perf_counter() - started
    claim_ms = []
    for _ in range(claims):
        now = timezone.now()
        started = time.perf_counter()
        claim_batch(now=now, lease_until=now + timedelta(minutes=5), size=settings.DISPATCH_BATCH_SIZE)
        claim_ms.append(round((time.perf_counter() - started) * 1000, 1))
    return {"plan_seconds": planned, "claim_ms": claim_ms}


def runcrons(mailing_id: int) -> dict:
    from core.models import Attempt

    started = time.time()
    call_command("runcrons", "core.cron.DispatchJob", "--force", "--silent")
    ended = time.time()
    sent = Attempt.objects.filter(mailing_id=mailing_id, status="success").count()
    return {"start": started, "end": ended, "sent": sent, "peak_rss_kib": peak_rss_kib()}


def first_attempt(mailing_id: int) -> dict:
    """When the mailing's first message was answered (its attempt written), as a Unix time."""
    from django.db.models import Min

    from core.models import Attempt

    first = Attempt.objects.filter(mailing_id=mailing_id, attempted_at__isnull=False).aggregate(Min("attempted_at"))
    return {"at": first["attempted_at__min"].timestamp()}


def dispatch(mailing_id: int, start_at: float) -> dict:
    from core.dispatch.engine import Dispatcher

    while time.time() < start_at:  # start together with the other dispatchers
        time.sleep(0.001)
    started = time.time()
    dispatcher = Dispatcher(mailing_id=mailing_id)
    dispatcher.run()
    return {
        "start": started,
        "end": time.time(),
        "sent": dispatcher.counts["sent"],
        "fault": dispatcher.fault and dispatcher.fault.reason,
        "peak_rss_kib": peak_rss_kib(),
    }


def baseline_django(count: int) -> dict:
    """What a plain Django project does: one EmailMessage per recipient, one connection."""
    started = time.time()
    messages = [
        EmailMessage(
            SUBJECT.format(full_name=name, email=email),
            BODY.format(full_name=name, email=email),
            settings.DEFAULT_FROM_EMAIL,
            [f"{name} <{email}>"],
        )
        for email, name in recipients(count)
    ]
    connection = get_connection()
    sent = connection.send_messages(messages)
    return {"start": started, "end": time.time(), "sent": sent}


def baseline_django_html(count: int) -> dict:
    """A plain Django project sending the Markdown message's two parts, without
    tracking: per recipient the text and the HTML as our dispatcher fills them
    in (its cheapest part), one EmailMultiAlternatives each, one connection."""
    from django.core.mail import EmailMultiAlternatives

    from core.dispatch.sending import run_message
    from core.models import MessageFormat

    built = run_message(
        subject=SUBJECT,
        body=MARKDOWN_BODY,
        body_format=MessageFormat.MARKDOWN,
        sender_name="Bench Owner",
        reply_to="",
        language="en",
    )
    started = time.time()
    messages = []
    for email, name in recipients(count):
        rendered = built.render(email=email, full_name=name, link=f"{settings.SITE_URL}/unsubscribe/{email}/")
        message = EmailMultiAlternatives(rendered.subject, rendered.body, settings.DEFAULT_FROM_EMAIL, [rendered.to])
        message.attach_alternative(rendered.html, "text/html")
        messages.append(message)
    sent = get_connection().send_messages(messages)
    return {"start": started, "end": time.time(), "sent": sent}


def baseline_smtplib(count: int) -> dict:
    """The ceiling of one Python SMTP connection: pre-built bytes, no database."""
    data = [
        EmailMessage(SUBJECT, BODY, settings.DEFAULT_FROM_EMAIL, [email]).message().as_bytes()
        for email, _ in recipients(count)
    ]
    smtp = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT)
    started = time.time()
    for (email, _), message in zip(recipients(count), data, strict=True):
        smtp.sendmail("noreply@localhost", [email], message)
    ended = time.time()
    smtp.quit()
    return {"start": started, "end": ended, "sent": count}


PHASES = {
    "setup": lambda args: setup(int(args[0]), *args[1:]),
    "reset": lambda args: reset(int(args[0])),
    "plan": lambda args: plan(int(args[0])),
    "plan-claims": lambda args: plan_and_claim(int(args[0]), int(args[1])),
    "runcrons": lambda args: runcrons(int(args[0])),
    "dispatch": lambda args: dispatch(int(args[0]), float(args[1])),
    "first-attempt": lambda args: first_attempt(int(args[0])),
    "baseline-django": lambda args: baseline_django(int(args[0])),
    "baseline-django-html": lambda args: baseline_django_html(int(args[0])),
    "baseline-smtplib": lambda args: baseline_smtplib(int(args[0])),
}

if __name__ == "__main__":
    print(json.dumps(PHASES[sys.argv[1]](sys.argv[2:])), flush=True)
