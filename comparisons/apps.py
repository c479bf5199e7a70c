from django.apps import AppConfig


class ComparisonsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comparisons"

    def ready(self) -> None:
        from comparisons import signals, slugs  # noqa: F401
