"""Reads that carry rules: who may see what, and the numbers the home page shows.

Plain users see only their own objects; managers see every user's mailings,
attempts and reports (read only); admins see everything. Anything outside
these querysets answers 404 to the asking user, in the API and on the pages.
"""

from datetime import datetime

from django.contrib.auth.models import Permission
from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone

from core.cache import ALL_OWNERS, ROLES, keep, lookup, owner_version, user_version
from core.models import Attempt, Client, ClientList, Mailing, MailingStatus, Message, MessageImage, User

PERMISSIONS_SECONDS = 300  # a backstop for changes no code reports (raw SQL)


def load_permissions(user: User) -> None:
    """Read the user's own and group permissions — from the cache, else in one
    query — and keep them where Django's ModelBackend keeps them for the rest of
    the request (it would make two queries). Our auth backend (`core.auth`)
    calls it before it answers any permission question, so `user.has_perm` in
    code, `PermissionRequiredMixin` and `perms` in templates all read this.
    Kept until the user's account or what the roles allow changes (`core.cache`)."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return
    if hasattr(user, "_user_perm_cache") or hasattr(user, "_group_perm_cache"):
        return
    key = f"permissions:{user.pk}"
    stamp, found = lookup(key, (user_version(user.pk), ROLES))
    if found is None:

        def named(permissions, own):
            return permissions.values_list(
                "content_type__app_label", "codename", Value(own, output_field=IntegerField())
            ).order_by()

        rows = named(Permission.objects.filter(user=user), 1).union(
            named(Permission.objects.filter(group__user=user), 0), all=True
        )
        own, through_groups = set(), set()
        for app_label, codename, is_own in rows:
            (own if is_own else through_groups).add(f"{app_label}.{codename}")
        found = (own, through_groups)
        keep(key, stamp, found, PERMISSIONS_SECONDS)
    user._user_perm_cache, user._group_perm_cache = found


def sees_all_mailings(user: User) -> bool:
    return user.is_superuser or user.has_perm("core.view_all_mailings")


def reader_versions(user: User) -> tuple[str, ...]:
    """The versions (`core.cache`) of what a logged-in user's pages and lists
    show: the data they see — their own, or everyone's for those who see all
    mailings (and admins, who see all clients and messages) — and their
    account and roles (the navbar, the buttons they may use)."""
    data = ALL_OWNERS if sees_all_mailings(user) else owner_version(user.pk)
    return (data, user_version(user.pk), ROLES)


def _own_or_all(queryset: QuerySet, user: User, *, all_if: bool, owner_path: str = "owner") -> QuerySet:
    if not user.is_authenticated:
        return queryset.none()
    return queryset if all_if else queryset.filter(**{owner_path: user})


def clients_visible_to(user: User) -> QuerySet[Client]:
    return _own_or_all(Client.objects.all(), user, all_if=user.is_superuser)


def lists_visible_to(user: User) -> QuerySet[ClientList]:
    return _own_or_all(ClientList.objects.all(), user, all_if=user.is_superuser)


def messages_visible_to(user: User) -> QuerySet[Message]:
    return _own_or_all(Message.objects.all(), user, all_if=user.is_superuser)


def images_visible_to(user: User) -> QuerySet[MessageImage]:
    return _own_or_all(MessageImage.objects.all(), user, all_if=user.is_superuser)


def mailings_visible_to(user: User) -> QuerySet[Mailing]:
    return _own_or_all(Mailing.objects.all(), user, all_if=sees_all_mailings(user))


def attempts_visible_to(user: User) -> QuerySet[Attempt]:
    return _own_or_all(Attempt.objects.all(), user, all_if=sees_all_mailings(user), owner_path="mailing__owner")


def can_change(user: User, obj) -> bool:
    """Edit or delete a client, message or mailing: its owner, or an admin.
    Managers never change other users' objects."""
    return user.is_authenticated and (user.is_superuser or obj.owner_id == user.pk)


def can_toggle_mailing(user: User, mailing: Mailing) -> bool:
    """Disable or enable a mailing: its owner, a manager or an admin."""
    return can_change(user, mailing) or user.has_perm("core.toggle_any_mailing")


def can_list_users(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_perm("core.view_all_users"))


def mailing_owners_visible_to(user: User) -> QuerySet[User]:
    """The users whose mailings `user` may look at: every owner of a mailing for
    managers and admins, only themselves for anyone else."""
    if sees_all_mailings(user):
        return User.objects.filter(pk__in=Mailing.objects.values("owner")).order_by("email")
    return User.objects.filter(pk=user.pk)


def users_visible_to(user: User) -> QuerySet[User]:
    """Every user with their roles and mailing counts (`mailings_count`,
    `active_mailings_count`), for managers and admins; nobody else lists users.
    The users page and the users API both read it."""
    if not can_list_users(user):
        return User.objects.none()
    return (
        User.objects.annotate(
            mailings_count=Count("mailings", distinct=True),
            active_mailings_count=Count("mailings", filter=Q(mailings__is_active=True), distinct=True),
        )
        .prefetch_related("groups")
        .order_by("email")
    )


def can_block(by: User, user: User) -> bool:
    """Block or unblock `user`: managers any non-admin, admins anyone; nobody
    themselves."""
    if not by.is_authenticated or by.pk == user.pk:
        return False
    return by.is_superuser or (by.has_perm("core.block_user") and not user.is_superuser)


def home_figures(user: User | None = None, *, now: datetime | None = None) -> dict:
    """Total mailings, active mailings and unique clients: the given user's own,
    or site-wide when no user is given. Active means running, or due (its first
    run's time has come): enabled, its owner not blocked, finished ones not
    included. `next_due_at` is when the next enabled mailing comes due (None
    when none is ahead): the active count changes by time alone then."""
    now = now or timezone.now()
    mailings = Mailing.objects.all()
    clients = Client.objects.all()
    if user is not None:
        mailings = mailings.filter(owner=user)
        clients = clients.filter(owner=user)
    sending = Mailing.may_send_q()
    figures = mailings.aggregate(
        total=Count("id"),
        active=Count("id", filter=sending & (Q(status=MailingStatus.RUNNING) | Q(next_run_at__lte=now))),
        next_due_at=Min("next_run_at", filter=sending & Q(next_run_at__gt=now)),
    )
    figures["unique_clients"] = clients.annotate(address=Lower("email")).values("address").distinct().count()
    return figures


def first_steps(user: User) -> dict[str, bool]:
    """Which of the first steps the user has taken with their own objects:
    `has_clients` (added), `has_message` (written), `has_mailing` (created)."""
    return (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_clients=Exists(Client.objects.filter(owner=OuterRef("pk"))),
            has_message=Exists(Message.objects.filter(owner=OuterRef("pk"))),
            has_mailing=Exists(Mailing.objects.filter(owner=OuterRef("pk"))),
        )
        .values("has_clients", "has_message", "has_mailing")
        .get()
    )


def recent_mailings(user: User, count: int = 5) -> list[Mailing]:
    """The latest mailings the user may look at (their own; everyone's for
    managers and admins), newest first."""
    return list(mailings_visible_to(user).select_related("message", "owner").order_by("-id")[:count])
