"""Small helpers for the API's HTML fragments; the rules come from core.selectors."""

from datetime import datetime
from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaulttags import querystring
from django.utils import numberformat
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import date_format, get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from core.models import AttemptStatus, MailingDisplayStatus
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


_CARETS = {
    state: format_html(' <i class="bi bi-caret-{}-fill" aria-hidden="true"></i>', direction)
    for state, direction in (("ascending", "up"), ("descending", "down"))
}


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str, cell_class: str = "") -> str:
    """A sortable column's header cell: its label links to the list ordered by `field`
    (reversed when it is already), with the list's other filters and no page; a caret
    and aria-sort say how the list is sorted."""
    ordering = context.get("ordering") or ""
    query = querystring(context, context.get("query"), ordering=next_ordering(ordering, field), page=None)
    url = f"{context.get('list_url', '')}{query}"
    state = sort_state(ordering, field)
    return format_html(
        '<th scope="col"{} aria-sort="{}"><a href="{}" hx-get="{}" class="link-body-emphasis text-decoration-none">'
        "{}{}</a></th>\n",
        format_html(' class="{}"', cell_class) if cell_class else "",
        state,
        url,
        url,
        label,
        _CARETS.get(state, ""),
    )


@register.filter
def server_reply(text: str) -> str:
    """A stored reply in the reader's language when it is one of our own phrases
    (marked with gettext_noop where it is written); a mail server's reply as it came."""
    return gettext(text) if text else text


@lru_cache(maxsize=16)
def _number_format(language: str | None) -> tuple:
    """What `number_format` reads for a language: decimal separator, grouping, thousand separator."""
    return tuple(get_format(name, language) for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR"))


@register.filter(is_safe=True)
def whole(value):
    """A whole number as a template shows it (`number_format` in the reader's language),
    with the language's separators read once, not three times a number (a report page
    shows hundreds). Anything else is left to the template, as without the filter."""
    if type(value) is not int:
        return value
    if not settings.USE_THOUSAND_SEPARATOR:
        return SafeString(value)
    decimal_separator, grouping, thousand_separator = _number_format(get_language())
    return numberformat.format(value, decimal_separator, None, grouping, thousand_separator, use_l10n=True)


@register.filter(is_safe=True)
def shown_rate(figures) -> str:
    """The success rate of `figures` (reached ÷ planned) as the reports show it: one
    decimal in the reader's language (what `floatformat:1` shows) and " %", or "—"
    before any client was planned."""
    rate = success_rate(figures.reached, figures.planned)
    if rate is None:
        return "—"
    decimal_separator, grouping, thousand_separator = _number_format(get_language())
    # success_rate rounds to one decimal: ".1f" writes exactly the digits floatformat would
    number = numberformat.format(f"{rate:.1f}", decimal_separator, 1, grouping, thousand_separator, use_l10n=True)
    return SafeString(f"{number} %")


@lru_cache(maxsize=16)
def _compiled(format_string: str) -> tuple:
    """A date format read once: its literal text as strings, its specifiers as
    DateFormat's methods (what `dateformat.format` works out on every call)."""
    pieces = []
    for i, piece in enumerate(re_formatchars.split(format_string)):
        if i % 2:
            pieces.append(getattr(DateFormat, piece))
        elif piece:
            pieces.append(re_escaped.sub(r"\1", piece))
    return tuple(pieces)


@register.filter(expects_localtime=True)
def moment(value) -> str:
    """A date and time as every list and detail shows it (the reader's zone and language):
    `date_format(value, "SHORT_DATETIME_FORMAT")`, with the format parsed once (a page has dozens)."""
    if not value:
        return ""
    if not isinstance(value, datetime):
        return date_format(value, "SHORT_DATETIME_FORMAT")
    formatter = DateFormat(value)
    return "".join(
        piece if isinstance(piece, str) else str(piece(formatter))
        for piece in _compiled(get_format("SHORT_DATETIME_FORMAT"))
    )


@lru_cache(maxsize=64)
def _choice_labels(model, field_name: str) -> dict:
    return dict(model._meta.get_field(field_name).flatchoices)


@register.filter
def choice_label(obj, field_name: str):
    """What `obj.get_<field_name>_display` shows, from a table of the field's choices made
    once (Django's makes it, translating every label, on each call: 25 rows, 25 tables)."""
    value = getattr(obj, field_name)
    return _choice_labels(type(obj), field_name).get(value, value)


@register.filter(name="test_recipients")
def test_recipients_of(user) -> list[str]:
    """Where the user's tests may go: their own address first, then their confirmed test addresses."""
    return test_recipients(user)


# The badge colour of each status; any other status is a light one.
_MAILING_BADGES = {
    MailingDisplayStatus.DISABLED: "text-bg-secondary",
    MailingDisplayStatus.RUNNING: "text-bg-primary",
    MailingDisplayStatus.FINISHED: "text-bg-success",
}
_ATTEMPT_BADGES = {
    AttemptStatus.SUCCESS: "text-bg-success",
    AttemptStatus.FAILURE: "text-bg-danger",
    AttemptStatus.SKIPPED: "text-bg-secondary",
}
_LIGHT = "text-bg-light border"


@register.simple_tag
def mailing_status(mailing) -> str:
    """A mailing's status badge, as its row, its page and the home page show it."""
    status = mailing.display_status
    return format_html('<span class="badge {}">{}</span>', _MAILING_BADGES.get(status, _LIGHT), status.label)


@register.simple_tag
def attempt_status(attempt) -> str:
    """A send attempt's status badge: Bounced when a bounce came back for it later."""
    if attempt.bounced_at:
        return format_html('<span class="badge text-bg-warning">{}</span>', gettext("Bounced"))
    label = choice_label(attempt, "status")
    return format_html('<span class="badge {}">{}</span>', _ATTEMPT_BADGES.get(attempt.status, _LIGHT), label)
