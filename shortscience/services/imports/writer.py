"""Storing batches of PaperMetadata: new papers with their identifiers, existing ones skipped.

A paper already known by any of a record's identifiers is left as it is, which makes every
import idempotent. Each batch costs a fixed number of queries whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from shortscience.metadata import fields, venues
from shortscience.metadata.titles import title_key
from shortscience.metadata.types import PaperMetadata
from shortscience.models import ImportCheckpoint, Paper, PaperIdentifier, Venue
from shortscience.services import authors, events


@dataclass
class BatchResult:
    created: int = 0
    existing: int = 0


class PaperWriter:
    """Writes batches; remembers venues it has seen so a run looks each one up once."""

    def __init__(self) -> None:
        self._venues: dict[str, int] = {}

    def venue_id(self, key: str) -> int | None:
        key = key.strip()[:100]
        if not key:
            return None
        if key not in self._venues:
            venue, _ = Venue.objects.get_or_create(key=key, defaults={"name": key})
            self._venues[key] = venue.pk
        return self._venues[key]

    def write(self, batch: Sequence[PaperMetadata]) -> BatchResult:
        result = BatchResult()
        values = {ident.value for meta in batch for ident in meta.identifiers}
        known = set(PaperIdentifier.objects.filter(value__in=values).values_list("scheme", "value"))
        fresh: list[PaperMetadata] = []
        claimed: set[tuple[str, str]] = set()
        for meta in batch:
            pairs = {(str(i.scheme), i.value) for i in meta.identifiers}
            if pairs & known or pairs & claimed:
                result.existing += 1
                continue
            claimed |= pairs
            fresh.append(meta)
        now = timezone.now()
        papers = Paper.objects.bulk_create(
            [
                Paper(
                    title=meta.title[:1000],
                    title_key=title_key(meta.title),
                    authors=meta.authors,
                    year=meta.year,
                    venue_id=self.venue_id(venues.venue_key_for(meta)),
                    abstract=meta.abstract,
                    url=meta.url[:1000],
                    categories=meta.categories,
                    field=fields.field_of(meta.categories),
                    metadata_source=meta.source,
                    metadata_updated_at=now,
                )
                for meta in fresh
            ]
        )
        PaperIdentifier.objects.bulk_create(
            [
                PaperIdentifier(paper=paper, scheme=str(ident.scheme), value=ident.value[:300])
                for paper, meta in zip(papers, fresh, strict=True)
                for ident in {(i.scheme, i.value): i for i in meta.identifiers}.values()
            ],
            ignore_conflicts=True,
        )
        result.created = len(papers)
        authors.papers_arrived(
            [(paper.pk, meta.orcids) for paper, meta in zip(papers, fresh, strict=True)]
        )
        events.papers_written([paper.pk for paper in papers])
        return result


def checkpoint(name: str) -> ImportCheckpoint:
    return ImportCheckpoint.objects.get_or_create(name=name)[0]


def commit_batch(
    writer: PaperWriter, batch: Sequence[PaperMetadata], mark: ImportCheckpoint, position: int
) -> BatchResult:
    """Store a batch and advance the checkpoint in one transaction (exactly-once on resume)."""
    with transaction.atomic():
        result = writer.write(batch)
        mark.position = position
        mark.save(update_fields=["position", "updated_at"])
    return result
