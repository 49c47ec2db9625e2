"""A rich progress bar for the import commands, and their shared report printing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import OutputWrapper
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from shortscience.services.imports.runs import ImportReport


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
