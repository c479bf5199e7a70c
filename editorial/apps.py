from django.apps import AppConfig


class EditorialConfig(AppConfig):
    """The newsroom's shared ground: audit log, revisions and edit guards.

    It imports none of the project's content apps, so tools, reviewers,
    comparisons and newsletter can all write to it without breaking the
    one-way direction of imports between them.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "editorial"
    verbose_name = "Editorial record"

    def ready(self) -> None:
        from editorial import signals  # noqa: F401
