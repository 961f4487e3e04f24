"""Logging in: the one check behind the log-in page and the API's token log-in."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from core.models import User


@dataclass
class LoginRefused(Exception):
    """Why a log-in was refused: "locked_out", "invalid", "unverified" or "blocked"."""

    code: str
    message: str


def lockout_message() -> str:
    minutes = max(1, round(settings.AXES_COOLOFF_TIME * 60))
    return _(
        "Too many failed log-in attempts for this account or from your address. "
        "Log-in is locked for %(minutes)d minutes; try again later or reset your password."
    ) % {"minutes": minutes}


def login_check(*, request, email: str, password: str) -> User:
    """Check an email and password for a log-in (web page or API token).

    Every try goes through the authentication backends, so django-axes counts
    failures per account and per address and locks them out. Whether the
    account is unverified or blocked is said only to someone who gave the
    right password; a wrong password gets the same answer for every address.
    """
    email = User.objects.normalize_email(email)
    user = authenticate(request, username=email, password=password)
    if user is not None:
        return user
    if getattr(request, "axes_locked_out", False):
        raise LoginRefused("locked_out", lockout_message())
    candidate = User.objects.filter(email__iexact=email).first()
    if candidate is None:
        make_password(password)  # as much work as the check below, so timing tells nothing
    elif candidate.check_password(password):
        if not candidate.is_active:
            if candidate.block_reason:
                raise LoginRefused(
                    "blocked",
                    _(
                        "Your account has been blocked: “%(reason)s”. If you think this is a mistake, "
                        "contact the service's managers."
                    )
                    % {"reason": candidate.block_reason},
                )
            raise LoginRefused(
                "blocked",
                _("Your account has been blocked. If you think this is a mistake, contact the service's managers."),
            )
        if not candidate.email_verified:
            raise LoginRefused(
                "unverified",
                _("Your email address is not verified yet. Open the link we sent you, or ask for a new one."),
            )
    raise LoginRefused("invalid", _("Enter a correct email and password (the password is case-sensitive)."))
