"""django-cron's `runcrons`, run by cron every minute (deploy/crontab), checking at its start only
what sending needs (`core.checks.DISPATCH`): the site's other checks import the URL configuration,
the admin and the templates, a quarter of a second every minute for nothing sending uses. This
module wins over django-cron's because `core` comes first in INSTALLED_APPS."""

from django_cron.management.commands import runcrons

from core.checks import DISPATCH


class Command(runcrons.Command):
    requires_system_checks = [DISPATCH]
