"""List the emails the site sends (account emails) that are stuck or given up, and queue them again."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from core import outbox
from core.models import OutboxEmail, OutboxStatus


class Command(BaseCommand):
    help = (
        "List outbox emails that are not sent yet or were given up (with the reason); "
        "--retry queues them (or the given ids) again for the next cron run."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Only these outbox emails.")
        parser.add_argument("--retry", action="store_true", help="Queue given-up and waiting emails again now.")
        parser.add_argument("--all", dest="show_all", action="store_true", help="List sent emails too.")

    def handle(self, *args, ids, retry, show_all, **options):
        if retry:
            self.stdout.write(f"Queued {outbox.retry(ids)} email(s) again; cron sends them within a minute.")
            return
        emails = OutboxEmail.objects.all() if show_all else OutboxEmail.objects.exclude(status=OutboxStatus.SENT)
        if ids:
            emails = emails.filter(pk__in=ids)
        now = timezone.now()
        count = 0
        for email in emails.order_by("created_at", "id"):
            count += 1
            age = int((now - email.created_at).total_seconds())
            line = f"#{email.pk} {email.status} {email.kind} to {email.recipient}, {email.tries} tries, {age} s old"
            if email.status == OutboxStatus.PENDING and email.tries:
                line += f", next try {email.next_try_at:%Y-%m-%d %H:%M:%S} UTC"
            if email.reason:
                line += f": {email.reason}"
            self.stdout.write(line)
        self.stdout.write(f"{count} email(s).")
