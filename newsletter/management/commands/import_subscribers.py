import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsletter.services.subscribers import subscribers_import


class Command(BaseCommand):
    help = (
        "Add subscribers who consented elsewhere, from a CSV file with an "
        "'email' column, as active. Addresses already on the list are skipped, "
        "so the import can be run again safely."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="CSV file with an 'email' column")

    def handle(self, *args, file: Path, **options) -> None:
        try:
            handle = file.open(newline="", encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        with handle:
            reader = csv.DictReader(handle)
            columns = [name.strip().lower() for name in reader.fieldnames or []]
            if "email" not in columns:
                raise CommandError(
                    f"{file} has no 'email' column (columns found: "
                    f"{', '.join(columns) or 'none'})."
                )
            column = (reader.fieldnames or [])[columns.index("email")]
            try:
                result = subscribers_import(
                    addresses=(row.get(column) or "" for row in reader)
                )
            except UnicodeDecodeError as error:
                raise CommandError(f"{file} is not UTF-8 text.") from error
        self.stdout.write(
            f"Added {result.added}, skipped {result.duplicates} already on the "
            f"list, refused {result.invalid} invalid."
        )
        if result.invalid_examples:
            self.stdout.write(
                "Invalid, for example: "
                + ", ".join(repr(e) for e in result.invalid_examples)
            )
