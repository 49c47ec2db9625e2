"""Import DBLP's XML (article, inproceedings ...), streamed; resumable, idempotent."""

from pathlib import Path

from shortscience.management.commands._progress import FileImportCommand
from shortscience.services.imports import runs


class Command(FileImportCommand):
    help = "Import papers from a DBLP XML dump (dblp.xml[.gz]); no dblp.dtd needed."
    label = "DBLP"

    def run_import(self, path: Path, progress: runs.Progress, restart: bool) -> runs.ImportReport:
        return runs.import_dblp_xml(path, progress, restart=restart)
