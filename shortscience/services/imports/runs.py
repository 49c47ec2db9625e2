"""Running an import over a file: streaming, batching, progress, checkpoints and the report."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol, cast
from xml.etree.ElementTree import ParseError

from shortscience.metadata.dumps import DumpError, iter_dblp_records, parse_arxiv_snapshot_line
from shortscience.metadata.types import PaperMetadata
from shortscience.models import ImportCheckpoint
from shortscience.services.imports.writer import PaperWriter, checkpoint, commit_batch

BATCH_SIZE = 1000
MAX_REPORTED = 200


class Progress(Protocol):
    def __call__(self, done_bytes: int, total_bytes: int) -> None: ...


@dataclass
class ImportReport:
    records: int = 0
    created: int = 0
    existing: int = 0
    skipped_before: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    fatal: str = ""  # set when the file broke off (e.g. invalid XML); the rest was not read

    def problem(self, where: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(f"{where}: {message}")


def checkpoint_name(kind: str, path: Path) -> str:
    """Names a file by content identity (size + first 64 KiB), so a renamed copy resumes too."""
    with path.open("rb") as raw:
        head = raw.read(1 << 16)
    digest = hashlib.sha256(head).hexdigest()[:16]
    return f"{kind}:{path.stat().st_size}:{digest}"


def _run(
    kind: str,
    path: Path,
    records: Callable[[IO[bytes]], Iterator[tuple[int, PaperMetadata | DumpError]]],
    progress: Progress | None,
    restart: bool,
) -> ImportReport:
    report = ImportReport()
    mark = checkpoint(checkpoint_name(kind, path))
    if restart:
        mark.position, mark.finished = 0, False
        mark.save()
    resume_at = mark.position
    writer = PaperWriter()
    total = path.stat().st_size
    batch: list[PaperMetadata] = []
    with path.open("rb") as raw, _decompressed(raw, path) as stream:
        number = resume_at
        try:
            for number, item in records(stream):
                if number <= resume_at:
                    report.skipped_before += 1
                    continue
                report.records += 1
                if isinstance(item, DumpError):
                    where = f"{'line' if kind == 'arxiv' else 'record'} {number}"
                    report.problem(where, str(item))
                else:
                    batch.append(item)
                if len(batch) >= BATCH_SIZE:
                    _flush(writer, batch, mark, number, report)
                    if progress:
                        progress(raw.tell(), total)
        except ParseError as error:
            line, column = error.position
            report.fatal = (
                f"the XML breaks off at line {line}, column {column} ({error}); records before "
                "it were imported, and a run on a repaired file resumes after them"
            )
        _flush(writer, batch, mark, number, report)
        if progress:
            progress(total, total)
    if report.fatal:
        return report
    mark.finished = True
    mark.save(update_fields=["finished", "updated_at"])
    return report


def _decompressed(raw: IO[bytes], path: Path) -> IO[bytes]:
    """The file's bytes, un-gzipped when it ends in .gz (the raw handle still reports progress)."""
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    # The handle itself, as a context manager that does not close it (the caller closes raw).
    return contextlib.nullcontext(raw)  # type: ignore[return-value]  # see above


def _flush(
    writer: PaperWriter,
    batch: list[PaperMetadata],
    mark: ImportCheckpoint,
    position: int,
    report: ImportReport,
) -> None:
    result = commit_batch(writer, batch, mark, position)
    report.created += result.created
    report.existing += result.existing
    batch.clear()


def _arxiv_records(stream: IO[bytes]) -> Iterator[tuple[int, PaperMetadata | DumpError]]:
    for number, raw_line in enumerate(stream, start=1):
        line = raw_line.decode("utf-8", "replace").strip()
        if not line:
            continue
        try:
            yield number, parse_arxiv_snapshot_line(line)
        except DumpError as error:
            yield number, error


def import_arxiv_snapshot(
    path: Path, progress: Progress | None = None, *, restart: bool = False
) -> ImportReport:
    return _run("arxiv", path, _arxiv_records, progress, restart)


def import_dblp_xml(
    path: Path, progress: Progress | None = None, *, restart: bool = False
) -> ImportReport:
    return _run("dblp", path, iter_dblp_records, progress, restart)
