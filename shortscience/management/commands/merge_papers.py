"""Merge a duplicate paper record into the one that stays."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shortscience.services import merging
from shortscience.services.errors import DomainError


class Command(BaseCommand):
    help = (
        "Move identifiers, summaries, votes and comments of SOURCE onto TARGET, then drop SOURCE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=int, help="id of the duplicate paper (removed)")
        parser.add_argument("target", type=int, help="id of the paper that stays")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = merging.merge(options["source"], options["target"])
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Merged into paper {result.kept.pk}: {result.identifiers} identifiers and "
            f"{result.summaries} summaries moved, {result.folded_summaries} folded into the "
            "same author's summary (history kept)."
        )
