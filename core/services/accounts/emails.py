"""Account emails: verification, password reset and the 'you already have an account' note, each
at most once a minute per account (they can be asked for anybody's address)."""

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.urls import reverse

from core import outbox
from core.models import User
from core.services.accounts.links import encode_uid, verification_token_make

log = logging.getLogger(__name__)


# Sign-up, "send the link again" and reset can be asked for anybody's address;
# one email of a kind per account in this many seconds keeps them from
# flooding an inbox.
EMAIL_COOLDOWN_SECONDS = 60


def _site_link(view_name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(view_name, kwargs=kwargs)


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
    outbox.enqueue_from_templates(kind=template, recipient=user.email, context=context)
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
