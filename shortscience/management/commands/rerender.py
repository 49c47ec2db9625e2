"""Re-render stored Markdown (summaries, comments, profiles, venues) after a renderer change."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shortscience.services import library, rendering_jobs


class Command(BaseCommand):
    help = "Re-render HTML whose renderer version is older than the current one (--all: every row)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="re-render every row")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = rendering_jobs.rerender(force=options["all"])
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} re-rendered")
        self.stdout.write(f"library notes: {library.rerender_notes()} re-rendered")
