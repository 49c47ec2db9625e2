"""Import DBLP's XML (article, inproceedings ...), streamed; resumable, idempotent."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shortscience.management.commands._progress import file_progress, print_report
from shortscience.services.imports import runs


class Command(BaseCommand):
    help = "Import papers from a DBLP XML dump (dblp.xml[.gz]); no dblp.dtd needed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--restart", action="store_true", help="ignore an earlier checkpoint")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with file_progress(f"DBLP {path.name}") as bar:
            task = bar.add_task(f"DBLP {path.name}", total=path.stat().st_size)
            report = runs.import_dblp_xml(
                path,
                lambda done, total: bar.update(task, completed=done, total=total),
                restart=options["restart"],
            )
        print_report(self.stdout, self.stderr, report)
        if report.fatal:
            raise CommandError(report.fatal)
