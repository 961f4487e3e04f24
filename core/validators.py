from contextlib import suppress
from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.addresses import has_line_break, smtp_address
from core.time_zones import time_zone_names


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            _("“%(value)s” is not a known time zone; use an IANA name such as Europe/Berlin."),
            code="invalid_time_zone",
            params={"value": value},
        )


def validate_single_line(value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValidationError(_("Must be a single line (no line breaks)."), code="line_break")


def validate_not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError(_("Must not be empty."), code="blank")


def validate_display_name(value: str) -> None:
    """A name that becomes a mail header's display name: one line."""
    if has_line_break(value):
        raise ValidationError(_("Must be a single line (no line breaks)."), code="line_break")


def validate_sendable_address(value: str) -> None:
    """An address our mail can carry: ASCII before the @, a domain that IDNA can encode."""
    try:
        smtp_address(value)
    except ValueError:
        raise ValidationError(
            _("This address cannot be used in an email (its domain cannot be encoded)."), code="unsendable"
        ) from None


# Times the service accepts anywhere (mailing windows, filters, report periods):
# far enough out for any real schedule, near enough that moving a time into any
# time zone or by a period stays within what Python and the databases can hold.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


def validate_in_service_years(value: date) -> None:
    """A date or an aware datetime within years 2000 to 2100 (a datetime in UTC)."""
    year = value.year
    if isinstance(value, datetime) and value.tzinfo is not None:
        with suppress(OverflowError):  # pushed past year 1 or 9999 by its offset: its own year tells
            year = value.astimezone(UTC).year
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValidationError(
            _("Enter a date between the years %(earliest)d and %(latest)d."),
            code="out_of_range",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )
