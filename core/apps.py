from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Mailings")

    def ready(self):
        from core import checks, signals  # noqa: F401 - checks register themselves

        # Saves and deletes of owners' objects, users and roles say what they changed (core.cache).
        signals.connect()
