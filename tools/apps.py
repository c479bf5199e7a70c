from django.apps import AppConfig


class ToolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tools"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from tools import signals  # noqa: F401
