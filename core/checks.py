"""System checks of settings that parse fine one by one but contradict each other."""

from django.conf import settings
from django.core import checks

# The checks a sending process runs at its start (`runcrons`, `send_mailing`): cron starts one
# every minute, and the whole site's checks (URLs, admin, templates) are `manage.py check`'s and
# the web server's business.
DISPATCH = "dispatch"


@checks.register(DISPATCH)
def dispatch_batch_fits_its_lease(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A rate-limited batch that needs its whole lease to go out would be
    claimed again by another dispatcher while it is still being sent."""
    rate, batch, lease = settings.DISPATCH_RATE_LIMIT, settings.DISPATCH_BATCH_SIZE, settings.DISPATCH_LEASE_SECONDS
    if rate > 0 and batch / rate >= lease:
        return [
            checks.Error(
                f"DISPATCH_BATCH_SIZE / DISPATCH_RATE_LIMIT = {batch} / {rate:g} = {batch / rate:g} s reaches "
                f"DISPATCH_LEASE_SECONDS = {lease:g} s: a batch would outlive its lease.",
                hint="Lower DISPATCH_BATCH_SIZE, raise DISPATCH_RATE_LIMIT or lengthen DISPATCH_LEASE_SECONDS "
                "so that one batch takes well under the lease.",
                id="core.E001",
            )
        ]
    return []
