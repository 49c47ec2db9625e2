"""What the file import commands share: the command shape, a rich progress bar and the report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from shortscience.services.imports.runs import ImportReport
from shortscience.services.imports.runs import Progress as ProgressCallback


@contextmanager
def file_progress(description: str) -> Iterator[Progress]:
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        transient=False,
    ) as bar:
        yield bar


def print_report(stdout: OutputWrapper, stderr: OutputWrapper, report: ImportReport) -> None:
    for problem in report.errors:
        stderr.write(f"skipped {problem}")
    if report.error_count > len(report.errors):
        stderr.write(f"... and {report.error_count - len(report.errors)} more skipped records")
    stdout.write(
        f"{report.records} records read ({report.skipped_before} done by an earlier run), "
        f"{report.created} papers added, {report.existing} already known, "
        f"{report.error_count} skipped as malformed."
    )


class FileImportCommand(BaseCommand):
    """An import of one dump file with a progress bar, a checkpoint and a report."""

    label = ""

    def run_import(self, path: Path, progress: ProgressCallback, restart: bool) -> ImportReport:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--restart", action="store_true", help="ignore an earlier checkpoint")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        title = f"{self.label} {path.name}"
        with file_progress(title) as bar:
            task = bar.add_task(title, total=path.stat().st_size)
            report = self.run_import(
                path,
                lambda done, total: bar.update(task, completed=done, total=total),
                options["restart"],
            )
        print_report(self.stdout, self.stderr, report)
        if report.fatal:
            raise CommandError(report.fatal)
