from django.apps import AppConfig


class ReviewersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviewers"
    verbose_name = "Panel"

    def ready(self) -> None:
        from reviewers import signals  # noqa: F401
