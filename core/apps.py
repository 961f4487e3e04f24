from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Mailings")

    def ready(self):
        from django.contrib.auth.models import Group, Permission
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from core import checks, data_version  # noqa: F401 - checks register themselves
        from core.models import User
        from core.selectors import permissions_changed

        data_version.install()

        # Cached permission sets (core.selectors.load_permissions) go stale with any of these.
        for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(permissions_changed, sender=through, dispatch_uid=f"permissions-{through.__name__}")
        for model in (Group, Permission):
            post_save.connect(permissions_changed, sender=model, dispatch_uid=f"permissions-save-{model.__name__}")
        for model in (Group, Permission, User):  # a deleted user's id may be given again (SQLite)
            post_delete.connect(permissions_changed, sender=model, dispatch_uid=f"permissions-delete-{model.__name__}")
