"""The old ShortScience.org per-user export: CSV rows of (paper key, summary text), no header.

Every key goes through the identity layer; a key that names no known paper gets a placeholder
paper carrying that identifier (its title is the key until metadata is fetched), and a key
that names no paper and fits no identifier's grammar is reported and its row skipped. Each row
becomes a published summary by the chosen user; running the file again changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from shortscience.metadata.identifiers import shown
from shortscience.metadata.titles import title_key
from shortscience.models import Paper, PaperIdentifier, User
from shortscience.services import identifiers, summaries
from shortscience.services.errors import DomainError, InvalidInput


@dataclass
class CsvReport:
    imported: int = 0
    placeholders: int = 0
    errors: list[str] = field(default_factory=list)


def import_legacy_csv(path: Path, author: User) -> CsvReport:
    report = CsvReport()
    text = path.read_bytes().decode("utf-8-sig", "replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for row in reader:
        line = start
        start = reader.line_num + 1
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            report.errors.append(f"line {line}: expected 2 columns (key, text), found {len(row)}")
            continue
        key, body = row[0].strip(), row[1]
        if not key:
            report.errors.append(f"line {line}: no paper key")
            continue
        try:
            with transaction.atomic():
                paper, created = _paper_for(key)
                summaries.save(
                    author,
                    paper,
                    summaries.SaveRequest(
                        markdown=body, publish=True, private=False, anonymous=False
                    ),
                )
        except DomainError as error:
            report.errors.append(f"line {line}: {shown(key)}: {error.message}")
            continue
        report.imported += 1
        report.placeholders += int(created)
    return report


def _paper_for(key: str) -> tuple[Paper, bool]:
    found = identifiers.find_paper(key)
    if found is not None:
        return found, False
    names = identifiers.identifiers_for(key)
    if not names:
        raise InvalidInput(
            "not an arXiv id, DOI, DBLP key, OpenReview id or ShortScience key (letters, digits "
            "and . _ / + ( ) ' ; - only)"
        )
    # Marked as a placeholder: the metadata refresh (services/refresh.py) asks about it first.
    paper = Paper.objects.create(
        title=key[:1000], title_key=title_key(key), metadata_source=Paper.PLACEHOLDER
    )
    PaperIdentifier.objects.bulk_create(
        [PaperIdentifier(paper=paper, scheme=scheme, value=value) for scheme, value in names]
    )
    return paper, True
