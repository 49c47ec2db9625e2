"""Load a public dump written by dump_public into an empty database, all or nothing."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shortscience.rendering import RENDERER_VERSION
from shortscience.services import dumps, rendering_jobs
from shortscience.services.errors import DomainError


class Command(BaseCommand):
    help = (
        "Load the dump in DIR (from dump_public) into this database in one transaction, keeping "
        "ids. Refuses a database with content unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="folder holding manifest.json")
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even though the database has content (clashing rows abort the load)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = dumps.load(options["directory"], force=options["force"])
        except DomainError as error:
            raise CommandError(f"{error.message} Nothing was loaded.") from error
        for name, count in report.counts.items():
            self.stdout.write(f"{name}: {count} records loaded")
        self.stdout.write(f"{rendering_jobs.fill_excerpts()} summary excerpts made for list pages")
        if report.stale_renders:
            self.stdout.write(
                f"{report.stale_renders} summaries and comments were rendered by another "
                f"renderer version than this site's ({RENDERER_VERSION}; the dump's site had "
                f"{report.dump_renderer_version}): run `manage.py rerender` to refresh them."
            )
