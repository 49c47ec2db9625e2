"""Rebuild the search index from every paper, summary and comment (docs/search.md)."""

from typing import Any

from django.core.management.base import BaseCommand
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from shortscience import search


class Command(BaseCommand):
    help = "Throw the search index away and build it again, with a progress bar."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["quiet"]:
            count = search.rebuild()
        else:
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
            ) as bar:
                task = bar.add_task("Indexing", total=None)
                count = search.rebuild(
                    lambda done, total: bar.update(task, completed=done, total=total)
                )
        self.stdout.write(f"{count} documents indexed.")
