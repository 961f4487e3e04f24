"""The site's addresses that the mail we send links to — a recipient's
unsubscribe page, tracked links and the open image — made as a dispatcher
needs them: reversed once, then only a token put in per recipient.

They are reversed in their own small URLconf (`settings.MAIL_URLCONF`, which
the root URLconf includes as it is). Reversing in the root one imports every
page and API view of the site: ~0.3 s that a cron process would spend before
its first message.
"""

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

_SLOT = "SLOT"  # stands for the token in an address reversed once


def link_maker(name: str) -> Callable[[str], str]:
    """token -> the absolute address of the route `name` (a `<str:token>` route of MAIL_URLCONF)."""
    url = settings.SITE_URL + reverse(name, kwargs={"token": _SLOT}, urlconf=settings.MAIL_URLCONF)
    before, _, after = url.rpartition(_SLOT)  # the last one: the site's address comes first
    return lambda token: before + token + after
