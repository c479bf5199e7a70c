from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "verdicts-admin"


class Command(BaseCommand):
    help = (
        "Make sure the local demo admin account exists and print its login. "
        "Refuses to run with DEBUG off, so production never gets a known password."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/admin/",
            help="Where the admin is served, for the printed login.",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "ensure_local_admin only runs with DEBUG=true; in production use "
                "`manage.py createsuperuser`."
            )
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=USERNAME,
            defaults={
                "is_staff": True,
                "is_superuser": True,
                "email": "admin@localhost",
            },
        )
        if created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        note = "" if created else " (unless you have changed it)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: {options['url']}  user: {USERNAME}  password: {PASSWORD}{note}"
            )
        )
