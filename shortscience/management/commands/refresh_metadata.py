"""Ask the metadata sources again about placeholder, incomplete and stale papers
(services/refresh.py); the hourly task does the same in batches of METADATA_REFRESH_BATCH."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shortscience.services import refresh


class Command(BaseCommand):
    help = (
        "Fill in the metadata of placeholder papers (the old-site import's), papers without "
        "authors or a year, and papers not asked about for --stale-days; nothing already "
        "filled in is replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-days",
            type=int,
            default=settings.METADATA_REFRESH_STALE_DAYS,
            help="ask again about papers last asked more than this many days ago "
            "(default: METADATA_REFRESH_STALE_DAYS)",
        )
        parser.add_argument(
            "--limit", type=int, default=100, help="at most this many papers (default 100)"
        )
        parser.add_argument(
            "--placeholders-only", action="store_true", help="only the placeholder papers"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list the papers that are due; ask nobody"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1 or options["stale_days"] < 0:
            raise CommandError("--limit is at least 1 and --stale-days at least 0.")
        done = refresh.run(
            limit=options["limit"],
            stale_days=options["stale_days"],
            placeholders_only=options["placeholders_only"],
            dry_run=options["dry_run"],
        )
        for item in done:
            filled = f": filled {', '.join(item.filled)}" if item.filled else ""
            note = f" ({item.note})" if item.note else ""
            self.stdout.write(f"paper {item.paper_id} {item.outcome}{filled}{note} - {item.title}")
        if options["dry_run"]:
            self.stdout.write(f"{len(done)} papers are due; none was asked (--dry-run).")
            return
        outcomes = [item.outcome for item in done]
        self.stdout.write(
            f"{len(done)} papers asked: {outcomes.count(refresh.Check.UPDATED)} updated, "
            f"{outcomes.count(refresh.Check.UNCHANGED)} unchanged, "
            f"{outcomes.count(refresh.Check.NOT_FOUND)} not found, "
            f"{outcomes.count(refresh.Check.NO_SOURCE)} with no identifier to ask by, "
            f"{outcomes.count(refresh.Check.FAILED)} failed (asked again later)."
        )
