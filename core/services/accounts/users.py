"""Users by admins: create, edit (with their role) and delete."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles
from core.models import User
from core.services.accounts.checks import _validate_new_user


def user_delete(*, user: User, by: User) -> None:
    """Delete a user with their clients, messages, mailings and attempts
    (the foreign keys cascade). People delete themselves; admins anyone."""
    if user.pk != by.pk and not by.is_superuser:
        raise PermissionDenied(_("You may not delete this user."))
    with transaction.atomic():
        user.delete()


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
