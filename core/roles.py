"""The roles of the service as Django groups and their permissions.

This is the one definition — the names, their labels, which role a user has
and what each role may do; a data migration applies it (call `sync_roles`
again from a new migration whenever it changes). Admins are superusers.
"""

from django.utils.translation import gettext_lazy as _

USER = "User"
MANAGER = "Manager"
CONTENT_MANAGER = "Content manager"
ADMIN = "admin"  # not a group: a superuser

CHOICES = [(USER, _("User")), (MANAGER, _("Manager")), (CONTENT_MANAGER, _("Content manager")), (ADMIN, _("Admin"))]


def role_of(user) -> str:
    """The one role shown for a user: admin (a superuser) or their group."""
    if user.is_superuser:
        return ADMIN
    names = {group.name for group in user.groups.all()}  # uses prefetched groups when there are
    for role in (MANAGER, CONTENT_MANAGER, USER):
        if role in names:
            return role
    return USER


_OWN_DATA = [
    "core.add_client",
    "core.change_client",
    "core.delete_client",
    "core.view_client",
    "core.add_message",
    "core.change_message",
    "core.delete_message",
    "core.view_message",
    "core.add_mailing",
    "core.change_mailing",
    "core.delete_mailing",
    "core.view_mailing",
    "core.view_attempt",
]

ROLES: dict[str, list[str]] = {
    USER: _OWN_DATA,
    MANAGER: [
        *_OWN_DATA,
        "core.view_all_mailings",
        "core.toggle_any_mailing",
        "core.view_all_users",
        "core.block_user",
    ],
    CONTENT_MANAGER: [
        *_OWN_DATA,
        "blog.add_post",
        "blog.change_post",
        "blog.delete_post",
        "blog.view_post",
    ],
}


def sync_roles(apps, schema_editor=None) -> None:
    """Create the role groups and give each exactly its permissions."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Migration states have no models module; create_permissions skips
        # apps without one, so lend it a truthy value for the call.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
