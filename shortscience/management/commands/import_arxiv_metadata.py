"""Import the arXiv metadata snapshot (JSON Lines, optionally gzipped); resumable, idempotent."""

from pathlib import Path

from shortscience.management.commands._progress import FileImportCommand
from shortscience.services.imports import runs


class Command(FileImportCommand):
    help = "Import papers from arXiv's metadata snapshot (one JSON object per line, .jsonl[.gz])."
    label = "arXiv"

    def run_import(self, path: Path, progress: runs.Progress, restart: bool) -> runs.ImportReport:
        return runs.import_arxiv_snapshot(path, progress, restart=restart)
