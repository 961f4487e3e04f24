from django.core.management.base import BaseCommand, CommandError

from core.dkim import dkim_dns_record, dkim_enabled


class Command(BaseCommand):
    help = "Print the DNS TXT record to publish for the configured DKIM key."

    def handle(self, *args, **options):
        if not dkim_enabled():
            raise CommandError(
                "DKIM is not configured: set DKIM_PRIVATE_KEY (or _FILE), DKIM_SELECTOR and DKIM_DOMAIN."
            )
        name, value = dkim_dns_record()
        self.stdout.write(f'{name}. IN TXT "{value}"')
