from django.apps import AppConfig


class WebConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "web"
    verbose_name = "Web"

    def ready(self):
        from web import signals  # noqa: F401  (connects the receivers)
