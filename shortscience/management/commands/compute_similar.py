"""Refit and rebuild the stored similar papers and similar summaries from scratch, as the nightly
task does (docs/rankings.md)."""

from typing import Any

from django.core.management.base import BaseCommand

from shortscience.services import similar


class Command(BaseCommand):
    help = "Recompute similar papers and similar summaries (TF-IDF, cosine) for the whole corpus."

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(what: str, count: int) -> None:
            self.stdout.write(f"{what}: {count} in the corpus, neighbours stored")

        similar.rebuild(progress)
