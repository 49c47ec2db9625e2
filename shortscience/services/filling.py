"""Filling a paper's missing metadata from a source's answer: the one rule the metadata refresh
(services/refresh.py) and the add flow (services/lookup.py, when a writer pastes an identifier
a placeholder holds) share.

Which papers want it (`wants`): the old site's placeholders (titled with their key), papers
without authors or a year, and any whose title is a key (`key_shaped`). What is filled: only
what is empty or a placeholder: a key-shaped title, empty authors, year, abstract, link,
categories (and the field they give) and venue, and identifiers nobody holds yet. Nothing
records which fields a person edited in the admin, so nothing already filled in is replaced.
`fillable` says what an answer would fill without writing (the add page shows it on a GET);
`fill` writes it, judged again on the row under a lock, and tells the page caches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from shortscience.metadata import fields, venues
from shortscience.metadata import identifiers as parsing
from shortscience.metadata.types import Identifier, PaperMetadata
from shortscience.models import Paper, PaperIdentifier, Venue
from shortscience.services import authors, events
from shortscience.services.text import squeezed_line

Check = Paper.Check
MAX_HOLDERS = 3  # papers one record fills (an arXiv id and its DOI may be held apart)
# How a person calls the fields filled (the derived "field" is not named).
FIELD_WORDS = {
    "title": "title",
    "authors": "authors",
    "year": "year",
    "abstract": "abstract",
    "url": "link",
    "categories": "arXiv categories",
    "venue": "venue",
    "identifiers": "identifiers",
}

# An outcome's fields; saving them recomputes the stored due time (`Paper.set_metadata_due`).
CHECK_FIELDS = [
    "metadata_checked_at",
    "metadata_check",
    "metadata_failures",
    "metadata_retry_at",
    "metadata_need",
    "metadata_due_at",
]


@dataclass
class Filled:
    """What `fill` did: the paper as saved (None: merged or deleted meanwhile), the fields
    filled ("identifiers" when some were added), and a note for the refresh's report."""

    paper: Paper | None
    filled: list[str] = field(default_factory=list)
    note: str = ""


def key_shaped(paper: Paper, idents: list[PaperIdentifier]) -> bool:
    """Whether the title is no title but a key (what the old-site import titles a placeholder
    with): empty, one of the paper's own identifiers, or a word that reads as an arXiv id,
    DOI, DBLP key or OpenReview link. "Word2Vec" is a title."""
    title = paper.title.strip()
    if not title or title.casefold() in {i.value.casefold() for i in idents}:
        return True
    return " " not in title and parsing.parse(title) is not None


def wants(paper: Paper, idents: list[PaperIdentifier]) -> bool:
    """Whether a source's answer may fill something the refresh asks first about: a
    placeholder, a paper without authors or a year, or one titled with a key."""
    return (
        paper.metadata_source == Paper.PLACEHOLDER
        or not paper.authors
        or paper.year is None
        or key_shaped(paper, idents)
    )


def fillable(paper: Paper, idents: list[PaperIdentifier], meta: PaperMetadata) -> list[str]:
    """The fields `fill` would fill from `meta` in the paper as read (no identifiers: those
    are not shown); writes nothing."""
    return list(_wanted(paper, idents, meta))


def fill(paper: Paper, meta: PaperMetadata) -> Filled:
    """Fill what the paper lacks from `meta`, judged on the row as it is now (read again under
    a lock: an admin may have edited it since it was read) and saving only the fields filled,
    so a concurrent edit of any other field is kept. The outcome (`updated` or `unchanged`) is
    kept as the refresh's; a change goes through `events.papers_written`."""
    now = timezone.now()
    offered = {(str(i.scheme), i.value[:300]) for i in with_aliases(meta.identifiers)}
    with transaction.atomic():
        row = Paper.objects.select_for_update().filter(pk=paper.pk).first()
        if row is None:  # merged into another or deleted since it was read
            return Filled(None, note="gone")
        idents = list(row.identifiers.all())
        wanted = _wanted(row, idents, meta)
        for name, value in wanted.items():
            if name == "venue":
                value, _ = Venue.objects.get_or_create(key=value, defaults={"name": value})
            setattr(row, name, value)
        filled = list(wanted)
        fresh = offered - {(i.scheme, i.value) for i in idents}
        taken = dict(
            PaperIdentifier.objects.filter(value__in=[v for _, v in fresh])
            .exclude(paper=row)
            .values_list("value", "paper_id")
        )
        fresh = {(s, v) for s, v in fresh if v not in taken}
        note = f"also known as paper {min(taken.values())}" if taken else ""
        changed = [*filled]
        if filled or fresh:
            changed += ["metadata_updated_at", "updated_at"]
            row.metadata_updated_at = now
            if row.metadata_source in ("", Paper.PLACEHOLDER):
                row.metadata_source = (meta.source or "")[:20]
                changed.append("metadata_source")
        mark_answered(row, Check.UPDATED if changed else Check.UNCHANGED, now)
        row.save(update_fields=[*changed, *CHECK_FIELDS])
        PaperIdentifier.objects.bulk_create(
            [PaperIdentifier(paper=row, scheme=s, value=v) for s, v in sorted(fresh)],
            ignore_conflicts=True,
        )
        if changed:
            authors.papers_arrived([(row.pk, meta.orcids)])
            events.papers_written([row.pk])
    if fresh:
        filled.append("identifiers")
    return Filled(row, filled, note)


def fill_holders(meta: PaperMetadata) -> None:
    """Fill the papers holding one of a source's own identifiers for this record (or an
    alias) that want it, before the record is settled (services/works.py): a placeholder is
    then found by its title, now the source's, instead of a second paper made beside it."""
    values = list(dict.fromkeys(i.value[:300] for i in with_aliases(meta.identifiers)))
    holders = (
        Paper.objects.filter(identifiers__value__in=values)
        .distinct()
        .order_by("pk")
        .prefetch_related("identifiers")[:MAX_HOLDERS]
    )
    for paper in holders:
        if wants(paper, list(paper.identifiers.all())):
            fill(paper, meta)


def in_words(names: list[str]) -> str:
    """Fields `fill` fills as a person reads them: "title, authors and year"."""
    words = [FIELD_WORDS[name] for name in names if name in FIELD_WORDS]
    return " and ".join(filter(None, [", ".join(words[:-1]), *words[-1:]]))


def mark_answered(paper: Paper, outcome: str, now: dt.datetime) -> None:
    """Keep a source's answer as the paper's last check (a success clears the failures)."""
    paper.metadata_checked_at = now
    paper.metadata_check = outcome
    paper.metadata_failures = 0
    paper.metadata_retry_at = None


def with_aliases(idents: list[Identifier]) -> list[Identifier]:
    return [alias for ident in idents for alias in (ident, *parsing.aliases(ident))]


def _wanted(paper: Paper, idents: list[PaperIdentifier], meta: PaperMetadata) -> dict[str, Any]:
    """{field: value} of what `meta` fills in the paper; the venue as its key."""
    # From a source, as services/lookup.py stores a new paper's: one line each.
    title = squeezed_line(meta.title, 1000)
    names = [n for n in (squeezed_line(a, 300) for a in meta.authors) if n][:200]
    url = meta.url[:1000] if meta.url.startswith(("http://", "https://")) else ""
    wanted: dict[str, Any] = {}
    if title and key_shaped(paper, idents):
        wanted["title"] = title
    for name, value in (
        ("authors", names),
        ("year", meta.year),
        ("abstract", meta.abstract),
        ("url", url),
        ("categories", meta.categories),
    ):
        if value and not getattr(paper, name):
            wanted[name] = value
    if "categories" in wanted and not paper.field:
        wanted["field"] = fields.field_of(meta.categories)
    venue_key = venues.venue_key_for(meta)[: venues.KEY_MAX_LENGTH].strip()
    if paper.venue_id is None and venues.is_key(venue_key):
        wanted["venue"] = venue_key
    return wanted
