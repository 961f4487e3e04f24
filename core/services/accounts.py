"""Accounts: sign-up, email verification, log-in checks, password reset and
deleting users. The web pages and the API (djoser) both call these, so an
account behaves the same whichever door a person uses.

Nothing here tells a caller whether an address is registered: sign-up,
resending a link and asking for a password reset answer the same either way;
the owner of a registered address gets an email instead.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, password_validation, update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core import outbox, roles
from core.cache import users_changed
from core.models import User

log = logging.getLogger(__name__)

_VERIFY_SALT = "core.accounts.verify-email"


# Emails ----------------------------------------------------------------------


def _site_link(view_name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(view_name, kwargs=kwargs)


# Sign-up, "send the link again" and reset can be asked for anybody's address;
# one email of a kind per account in this many seconds keeps them from
# flooding an inbox.
EMAIL_COOLDOWN_SECONDS = 60


def _send_email(*, template: str, user: User, context: dict) -> bool:
    """Queue `templates/emails/<template>` (subject, text and HTML parts) for
    the user in the outbox, unless the same kind went to them within
    EMAIL_COOLDOWN_SECONDS. The outbox sends it after the caller's transaction
    commits, outside the request (core/outbox.py): a mail server that hangs or
    is down never slows sign-up or a reset, nor tells by its timing whether
    an address is registered."""
    if not cache.add(f"accounts:email:{template}:{user.pk}", True, EMAIL_COOLDOWN_SECONDS):
        log.info("Not sending the %s email to user %s again so soon", template, user.pk)
        return False
    context = {"user": user, "site_url": settings.SITE_URL, **context}
    outbox.enqueue(
        kind=template,
        recipient=user.email,
        subject=" ".join(render_to_string(f"emails/{template}_subject.txt", context).split()),
        body=render_to_string(f"emails/{template}.txt", context),
        html=render_to_string(f"emails/{template}.html", context),
    )
    return True


def send_verification_email(user: User) -> bool:
    """Send the link that confirms the user's address (valid for
    EMAIL_VERIFICATION_MAX_AGE seconds)."""
    link = _site_link("verify-email", uidb64=encode_uid(user), token=verification_token_make(user))
    hours = max(1, settings.EMAIL_VERIFICATION_MAX_AGE // 3600)
    return _send_email(template="verify_email", user=user, context={"link": link, "hours": hours})


def send_password_reset_email(user: User) -> bool:
    link = _site_link("password-reset-confirm", uidb64=encode_uid(user), token=default_token_generator.make_token(user))
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    return _send_email(template="password_reset", user=user, context={"link": link, "hours": hours})


def _send_registration_attempt_email(user: User) -> bool:
    context = {"login_link": _site_link("login"), "reset_link": _site_link("password-reset")}
    return _send_email(template="registration_attempt", user=user, context=context)


# Sign-up and verification -----------------------------------------------------


def encode_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def _user_from_uid(uidb64: str) -> User | None:
    try:
        return User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None


def _verification_value(user: User) -> str:
    # Binding the address: a link stops working if the address changes.
    return f"{user.pk}:{user.email}"


def verification_token_make(user: User) -> str:
    signed = signing.TimestampSigner(salt=_VERIFY_SALT).sign(_verification_value(user))
    return signed.removeprefix(_verification_value(user) + ":")


class VerificationLinkInvalid(ValidationError):
    """The verification link was tampered with, or has expired (code "expired")."""


def user_verify_email(*, uidb64: str, token: str) -> User:
    """Confirm the address from a verification link and return the user.

    Verifying never unblocks: `is_active` is left alone. A link for an address
    that is already verified is accepted again (people click twice).
    """
    user = _user_from_uid(uidb64)
    if user is None:
        raise VerificationLinkInvalid(_("This verification link is not valid."), code="invalid")
    try:
        signing.TimestampSigner(salt=_VERIFY_SALT).unsign(
            f"{_verification_value(user)}:{token}", max_age=settings.EMAIL_VERIFICATION_MAX_AGE
        )
    except signing.SignatureExpired:
        raise VerificationLinkInvalid(
            _("This verification link has expired. Ask for a new one below."), code="expired"
        ) from None
    except signing.BadSignature:
        raise VerificationLinkInvalid(_("This verification link is not valid."), code="invalid") from None
    if user.email_verified_at is None:
        User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(email_verified_at=timezone.now())
        users_changed([user.pk])
        user.refresh_from_db(fields=["email_verified_at"])
    return user


def _validate_new_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None


def _validate_new_user(user: User, password: str, **clean_options) -> None:
    """Every problem at once: the fields and the password (Django's validators)."""
    errors: dict[str, list] = {}
    for check in (
        lambda: user.full_clean(exclude=["password"], **clean_options),
        lambda: _validate_new_password(password, user),
    ):
        try:
            check()
        except ValidationError as error:
            for field, messages in error.error_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def user_register(
    *, email: str, full_name: str, password: str, time_zone: str, language: str | None = None
) -> User | None:
    """Sign a person up: a plain user (group User), not blocked, address not
    yet verified, and a verification email on its way.

    If the address is already registered nothing is created and its owner is
    told by email that someone tried to sign up with it; the caller answers
    exactly as for a new account. Returns the new user, or None in that case.
    `language` (of the footer of their mailings) is the site's when not given.
    Raises ValidationError (password, time zone, language, full name) for bad input.
    """
    user = User(email=User.objects.normalize_email(email), full_name=full_name.strip(), time_zone=time_zone)
    if language is not None:
        user.language = language
    _validate_new_user(user, password, validate_unique=False, validate_constraints=False)

    existing = User.objects.filter(email__iexact=user.email).first()
    if existing is None:
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
                user.groups.add(Group.objects.get(name=roles.USER))
                send_verification_email(user)
        except IntegrityError:  # the same address signed up a moment ago
            existing = User.objects.filter(email__iexact=user.email).first()
    else:
        make_password(password)  # same work as a real sign-up, so timing tells nothing either
    if existing is not None:
        _send_registration_attempt_email(existing)
        return None
    return user


def verification_resend(*, email: str) -> None:
    """Send a fresh verification link if `email` belongs to an account that is
    still unverified. Says nothing either way."""
    user = User.objects.filter(email__iexact=User.objects.normalize_email(email), email_verified_at=None).first()
    if user is not None:
        send_verification_email(user)


# Logging in -------------------------------------------------------------------


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


# API tokens ---------------------------------------------------------------------


def api_token_of(user: User) -> Token | None:
    """The user's API token (djoser's one token per user), if they have one."""
    return Token.objects.filter(user=user).first()


def api_token_create(*, user: User) -> Token:
    """Issue a new API token for the user; the one they had stops working.
    Its key is shown to the person once: it is the password of API clients."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> bool:
    """Revoke the user's API token; False if they had none."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted > 0


# Password reset -----------------------------------------------------------------


def password_reset_request(*, email: str) -> None:
    """Email a reset link if `email` belongs to an active account with a
    password. Says nothing either way."""
    user = User.objects.filter(email__iexact=User.objects.normalize_email(email), is_active=True).first()
    if user is not None and user.has_usable_password():
        send_password_reset_email(user)


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The user a reset link is for, or None if the link is invalid or expired."""
    user = _user_from_uid(uidb64)
    if user is not None and default_token_generator.check_token(user, token):
        return user
    return None


def password_change(*, user: User, password: str, request=None) -> None:
    """Set a new password the user chose (the password page, the API). Their
    API tokens are revoked and their other sessions end (a session keeps a hash
    of the password); the session of `request`, if it has one, stays logged in."""
    _validate_new_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        Token.objects.filter(user=user).delete()
    if request is not None and getattr(request, "session", None) is not None:
        update_session_auth_hash(request, user)


def password_reset_complete(*, user: User, password: str) -> None:
    """Set the new password from a reset link. Following the link proved the
    address, so it counts as verified; API tokens issued before are revoked and
    sessions end (a session keeps a hash of the password)."""
    _validate_new_password(password, user)
    user.set_password(password)
    user.last_login = timezone.now()  # invalidates the reset link
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
    with transaction.atomic():
        user.save(update_fields=["password", "last_login", "email_verified_at"])
        Token.objects.filter(user=user).delete()


# Deleting -----------------------------------------------------------------------


def user_delete(*, user: User, by: User) -> None:
    """Delete a user with their clients, messages, mailings and attempts
    (the foreign keys cascade). People delete themselves; admins anyone."""
    if user.pk != by.pk and not by.is_superuser:
        raise PermissionDenied(_("You may not delete this user."))
    with transaction.atomic():
        user.delete()


# Admin screens --------------------------------------------------------------------


def _apply_role(user: User, role: str) -> None:
    user.is_superuser = user.is_staff = role == roles.ADMIN
    user.save(update_fields=["is_superuser", "is_staff"])
    user.groups.set([] if role == roles.ADMIN else [Group.objects.get(name=role)])


def _require_admin(by: User) -> None:
    if not by.is_superuser:
        raise PermissionDenied(_("Only admins create, edit and delete users."))


def user_create(*, by: User, email: str, full_name: str, time_zone: str, role: str, password: str) -> User:
    """An admin creates a user. The admin vouches for the address, so it
    counts as verified; the person can change the password afterwards."""
    _require_admin(by)
    user = User(email=User.objects.normalize_email(email), full_name=full_name.strip(), time_zone=time_zone)
    _validate_new_user(user, password)
    user.set_password(password)
    user.email_verified_at = timezone.now()
    with transaction.atomic():
        user.save()
        _apply_role(user, role)
    return user


def user_update(*, by: User, user: User, email: str, full_name: str, time_zone: str, role: str) -> User:
    """An admin edits a user's address, name, time zone and role. Admins do
    not change their own role (they could lock themselves out)."""
    _require_admin(by)
    if user.pk == by.pk and role != roles.ADMIN:
        raise ValidationError({"role": _("You cannot take the admin role away from yourself.")})
    user.email = User.objects.normalize_email(email)
    user.full_name = full_name.strip()
    user.time_zone = time_zone
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save(update_fields=["email", "full_name", "time_zone"])
        _apply_role(user, role)
    return user
