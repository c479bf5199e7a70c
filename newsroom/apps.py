from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The admin's home page: what needs an editor today, gathered from the
    comparisons, the panel, the newsletter and readers' requests. It sits
    beside `pages` at the top: it reads every app and nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "newsroom"
    verbose_name = "Newsroom"
