from django.core.management.base import BaseCommand

from tools.tallies import tally_rebuild


class Command(BaseCommand):
    help = (
        "Recount every tool's vote tallies from the votes. Triggers keep them "
        "exact as votes are written; run this after loading votes with the "
        "triggers off, or to check that nothing drifted. Votes wait (they are "
        "not refused) while it runs."
    )

    def handle(self, *args, **options) -> None:
        rebuild = tally_rebuild()
        if rebuild.drifted:
            noun = "tool's tallies" if rebuild.drifted == 1 else "tools' tallies"
            self.stdout.write(
                self.style.WARNING(
                    f"{rebuild.drifted} {noun} disagreed with the votes; recounted."
                )
            )
        else:
            self.stdout.write("Every tally agreed with the votes.")
        self.stdout.write(f"{rebuild.tallies} tally rows now.")
