"""What a new account and a new password must satisfy (the same for sign-up, reset and admins)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from core.models import User


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
