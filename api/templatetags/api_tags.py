"""Small helpers for the API's HTML fragments; the rules come from core.selectors."""

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext

from core.reports import success_rate
from core.selectors import can_change, can_toggle_mailing
from core.services.proof_addresses import test_recipients

register = template.Library()


@register.filter
def changeable_by(obj, user) -> bool:
    return can_change(user, obj)


@register.filter
def toggleable_by(mailing, user) -> bool:
    return can_toggle_mailing(user, mailing)


@register.filter
def next_ordering(current: str, field: str) -> str:
    """Clicking a sorted column reverses it; any other column sorts ascending."""
    return f"-{field}" if current == field else field


@register.filter
def sort_state(current: str, field: str) -> str:
    if current == field:
        return "ascending"
    if current == f"-{field}":
        return "descending"
    return "none"


@register.filter
def server_reply(text: str) -> str:
    """A stored reply in the reader's language when it is one of our own phrases
    (marked with gettext_noop where it is written); a mail server's reply as it came."""
    return gettext(text) if text else text


@register.filter(name="success_rate")
def success_rate_of(figures) -> float | None:
    return success_rate(figures.reached, figures.planned)


@register.filter(expects_localtime=True)
def moment(value) -> str:
    """A date and time as every list and detail shows it (the reader's zone and language)."""
    return date_format(value, "SHORT_DATETIME_FORMAT") if value else ""


@register.filter(name="test_recipients")
def test_recipients_of(user) -> list[str]:
    """Where the user's tests may go: their own address first, then their confirmed test addresses."""
    return test_recipients(user)
