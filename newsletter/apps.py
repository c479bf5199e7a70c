from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self) -> None:
        from anymail.signals import tracking

        from newsletter import checks, webhooks  # noqa: F401 - checks register

        tracking.connect(
            webhooks.tracking_received, dispatch_uid="newsletter.tracking_received"
        )
