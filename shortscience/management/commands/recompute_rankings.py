"""Recompute every summary's hotness and every person's reputation (docs/rankings.md)."""

from typing import Any

from django.core.management.base import BaseCommand

from shortscience.services import rankings


class Command(BaseCommand):
    help = "Recompute hotness for all summaries and reputation for all users."

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(what: str, done: int, total: int) -> None:
            self.stdout.write(f"\r{what}: {done}/{total}", ending="")
            if done == total:
                self.stdout.write("")

        hot, people = rankings.recompute_all(progress)
        self.stdout.write(f"hotness changed for {hot} summaries, reputation for {people} people")
