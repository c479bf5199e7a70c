from django.core.management.base import BaseCommand

from reviewers.tallies import panel_rebuild


class Command(BaseCommand):
    help = (
        "Recount every tool's panel tally from the verdicts of active personas. "
        "Triggers keep them exact as verdicts and personas change; run this "
        "after loading verdicts with the triggers off, or to check that nothing "
        "drifted. Editors' saves wait (they are not refused) while it runs."
    )

    def handle(self, *args, **options) -> None:
        rebuild = panel_rebuild()
        if rebuild.drifted:
            noun = "tool's tally" if rebuild.drifted == 1 else "tools' tallies"
            self.stdout.write(
                self.style.WARNING(
                    f"{rebuild.drifted} {noun} disagreed with the verdicts; recounted."
                )
            )
        else:
            self.stdout.write("Every panel tally agreed with the verdicts.")
        self.stdout.write(f"{rebuild.tallies} panel tally rows now.")
