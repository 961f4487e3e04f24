"""Send one mailing now from the command line: its due run, or an immediate one."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from django.utils import timezone

from core.checks import DISPATCH
from core.dispatch.engine import Dispatcher
from core.dispatch.rendering import RenderError
from core.dispatch.sending import MessageCache
from core.models import OPEN_ATTEMPT_STATUSES, Attempt, AttemptStatus, Mailing
from core.services.mailings import audience, mailing_resend_failed, mailing_send_now


class Command(BaseCommand):
    help = (
        "Send a mailing's due run now (or, with --now, an extra run at once), showing progress and a summary. "
        "Exits with status 2 when the mail server cannot be reached."
    )
    requires_system_checks = [DISPATCH]  # what sending needs; the site's checks are `manage.py check`'s

    def add_arguments(self, parser):
        parser.add_argument("mailing_id", type=int)
        parser.add_argument("--now", action="store_true", help="Plan an extra run now, outside the schedule.")
        parser.add_argument("--resend-failed", action="store_true", help="Queue the failed attempts again first.")
        parser.add_argument(
            "--dry-run", action="store_true", help="List recipients and rendered subjects; send and write nothing."
        )

    def handle(self, *args, mailing_id, now, resend_failed, dry_run, **options):
        try:
            mailing = Mailing.objects.select_related("owner", "message").get(pk=mailing_id)
        except Mailing.DoesNotExist:
            raise CommandError(f"There is no mailing #{mailing_id}.") from None
        if not mailing.may_send:
            raise CommandError(f"Mailing #{mailing.pk} is disabled or its owner is blocked; nothing is sent.")
        if dry_run:
            return self.dry_run(mailing)
        if resend_failed:
            resend = mailing_resend_failed(mailing=mailing)
            self.stdout.write(
                f"Queued {resend.requeued} failed client(s) again as a resend run; left out "
                f"{resend.unsubscribed} unsubscribed and {resend.suppressed} suppressed."
            )
        if now:
            self.stdout.write(f"Planned a run at {mailing_send_now(mailing=mailing):%Y-%m-%d %H:%M:%S} UTC.")
        dispatcher = Dispatcher(mailing_id=mailing.pk, on_batch=self.progress)
        dispatcher.run()
        self.report(mailing, dispatcher)
        if dispatcher.fault is not None:
            self.stderr.write(f"The mail server could not be used: {dispatcher.fault.reason}")
            sys.exit(2)

    def progress(self, counts) -> None:
        self.stdout.write(f"… {counts['sent']} sent, {counts['failed']} failed, {counts['retrying']} retrying")

    def report(self, mailing: Mailing, dispatcher: Dispatcher) -> None:
        counts = dispatcher.counts
        left = Attempt.objects.filter(mailing=mailing).aggregate(
            pending=Count("id", filter=Q(status__in=OPEN_ATTEMPT_STATUSES)),
            waiting=Count("id", filter=Q(status=AttemptStatus.PENDING, tries__gt=0)),
        )
        self.stdout.write(
            f"Mailing #{mailing.pk}: {counts['sent']} sent, {counts['failed']} failed, "
            f"{counts['retrying']} retrying later, {counts['skipped']} skipped (unsubscribed or suppressed), "
            f"{left['pending']} pending in total "
            f"({left['waiting']} of them waiting for a retry)."
        )

    def dry_run(self, mailing: Mailing) -> None:
        open_attempts = Attempt.objects.filter(
            mailing=mailing, status=AttemptStatus.PENDING, next_try_at__lte=timezone.now()
        ).select_related("client")
        clients = [a.client for a in open_attempts] or list(audience(mailing).order_by("pk"))
        try:
            message = MessageCache().get(mailing.pk)
        except RenderError as exc:
            raise CommandError(f"the message cannot be built: {exc}") from None
        self.stdout.write(f"Mailing #{mailing.pk} would be sent to {len(clients)} recipient(s):")
        for client in clients:
            try:
                rendered = message.render(email=client.email, full_name=client.full_name)
                line = f"{rendered.to}: {rendered.subject}"
            except RenderError as exc:
                line = f"{client.email}: cannot be built ({exc})"
            self.stdout.write(line)
