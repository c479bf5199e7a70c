from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Reader pages"

    def ready(self) -> None:
        from pages import figures, signals  # noqa: F401
