"""Import the old ShortScience.org per-user CSV export (paper key, summary text) for one user."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shortscience.models import User
from shortscience.services.imports.legacy_csv import import_legacy_csv


class Command(BaseCommand):
    help = "Publish each row (paper key, Markdown text) of an old-site export as USER's summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username the summaries belong to")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        author = User.objects.filter(username=options["user"]).first()
        if author is None:
            raise CommandError(f"No user named {options['user']!r}")
        report = import_legacy_csv(path, author)
        for problem in report.errors:
            self.stderr.write(f"skipped {problem}")
        self.stdout.write(
            f"{report.imported} summaries imported for {author.username} "
            f"({report.placeholders} papers were new and wait for metadata), "
            f"{len(report.errors)} rows skipped."
        )
        if report.placeholders:
            self.stdout.write(
                "Their metadata is asked for by `refresh_metadata --placeholders-only` "
                "(or the hourly refresh, when METADATA_REFRESH_BATCH is set)."
            )
