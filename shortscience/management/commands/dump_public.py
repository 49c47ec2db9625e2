"""Write the public open-data dump (JSON Lines + LICENSE.txt + manifest.json) into a folder."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shortscience.services import dumps


class Command(BaseCommand):
    help = (
        "Write what every visitor can see (public summaries, their comments, the people named "
        "on them, papers, venues, vote counts) as JSON Lines into OUTDIR; see docs/data.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", type=Path, help="folder to write (created if missing)")

    def handle(self, *args: Any, **options: Any) -> None:
        outdir: Path = options["outdir"]
        counts = dumps.write(outdir)
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} records")
        self.stdout.write(f"Dump written to {outdir} (see manifest.json and LICENSE.txt).")
