from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                _("“%(value)s” is not a known time zone; use an IANA name such as Europe/Berlin."),
                code="invalid_time_zone",
                params={"value": value},
            ) from None


def validate_single_line(value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValidationError(_("Must be a single line (no line breaks)."), code="line_break")


def validate_not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError(_("Must not be empty."), code="blank")
