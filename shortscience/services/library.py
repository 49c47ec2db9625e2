"""The reader's library: saving papers into reading lists, a status and a private note per
saved paper, public lists, and BibTeX / CSL-JSON export and BibTeX import (docs/library.md).

Rules: everything is private to its owner; a list made public shows its papers (never notes,
never the owner's other lists) to anyone with its link, and any other list is NotFound to
everyone but its owner. A reader's first save creates their default "Reading list", which
cannot be deleted. A paper is saved once per reader, in one list; saving it into another list
moves it. Notes are Markdown + math rendered by the site's renderer when written (outside the
transaction), stored with the renderer's version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet

from shortscience.metadata.bibtex import BibtexError, parse_bibtex
from shortscience.models import Paper, PaperIdentifier, ReadingList, SavedPaper, User
from shortscience.rendering import RENDERER_VERSION
from shortscience.services import exports, lookup, markup, standing
from shortscience.services.errors import Conflict, InvalidInput, NotFound

DEFAULT_NAME = "Reading list"
MAX_LISTS = 50
MAX_SAVED = 5000
NAME_MAX = 100
NOTE_MAX = 20_000
IMPORT_MAX_ENTRIES = 200
IMPORT_MAX_BYTES = 512 * 1024
STATUSES = tuple(SavedPaper.Status.values)
STATUS_CHOICES = SavedPaper.Status.choices


# --- Lists ------------------------------------------------------------------------------------


def lists_of(user: User) -> list[ReadingList]:
    """The reader's lists, default first, each with `paper_count` (one query)."""
    return list(
        ReadingList.objects.filter(owner=user)
        .annotate(paper_count=Count("saved"))
        .order_by("-is_default", "name", "pk")
    )


def default_list(user: User) -> ReadingList:
    found = ReadingList.objects.filter(owner=user, is_default=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ReadingList.objects.create(owner=user, name=DEFAULT_NAME, is_default=True)
    except IntegrityError:
        # A double click raced us, or the reader already named a list "Reading list".
        found = ReadingList.objects.filter(owner=user, is_default=True).first()
        if found is not None:
            return found
        return ReadingList.objects.filter(owner=user, name=DEFAULT_NAME).get()


def own_list(user: User, list_id: int) -> ReadingList:
    found = ReadingList.objects.filter(owner=user, pk=list_id).first()
    if found is None:
        raise NotFound("There is no such list.")
    return found


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("A list needs a name.", field_errors={"name": ["Required."]})
    if len(cleaned) > NAME_MAX:
        raise InvalidInput(
            f"A list's name has at most {NAME_MAX} characters.",
            field_errors={"name": ["Too long."]},
        )
    return cleaned


def _named(user: User, name: str, *, excluding: int | None = None) -> None:
    taken = ReadingList.objects.filter(owner=user, name=name)
    if excluding is not None:
        taken = taken.exclude(pk=excluding)
    if taken.exists():
        raise Conflict(f"You already have a list named {name!r}.")


def create_list(user: User, name: str, *, public: bool = False) -> ReadingList:
    standing.ensure_can_write(user)
    cleaned = _clean_name(name)
    _named(user, cleaned)
    if ReadingList.objects.filter(owner=user).count() >= MAX_LISTS:
        raise Conflict(f"You have {MAX_LISTS} lists already; delete one first.")
    try:
        with transaction.atomic():
            return ReadingList.objects.create(owner=user, name=cleaned, is_public=public)
    except IntegrityError as raced:
        raise Conflict(f"You already have a list named {cleaned!r}.") from raced


def update_list(
    user: User, list_id: int, *, name: str | None = None, public: bool | None = None
) -> ReadingList:
    """Rename a list and/or make it public or private again."""
    standing.ensure_can_write(user)
    found = own_list(user, list_id)
    if name is not None:
        found.name = _clean_name(name)
        _named(user, found.name, excluding=found.pk)
    if public is not None:
        found.is_public = public
    found.save()
    return found


def delete_list(user: User, list_id: int) -> None:
    """Delete a list and the papers saved in it (their notes too); the default list stays."""
    standing.ensure_can_write(user)
    found = own_list(user, list_id)
    if found.is_default:
        raise InvalidInput("Your reading list cannot be deleted; delete other lists.")
    found.delete()


def public_list(list_id: int) -> ReadingList:
    """A list anyone may see; NotFound for a private one (or an inactive owner's)."""
    found = (
        ReadingList.objects.filter(pk=list_id, is_public=True, owner__is_active=True)
        .select_related("owner")
        .first()
    )
    if found is None:
        raise NotFound("There is no such list.")
    return found


def visible_list(viewer: User | None, list_id: int) -> tuple[ReadingList, bool]:
    """The list and whether the viewer owns it: the owner sees any of theirs, others only a
    public one."""
    if viewer is not None:
        found = ReadingList.objects.filter(owner=viewer, pk=list_id).first()
        if found is not None:
            return found, True
    return public_list(list_id), False


# --- Saved papers -----------------------------------------------------------------------------


def saved(user: User | None, paper_id: int) -> SavedPaper | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        SavedPaper.objects.filter(owner=user, paper_id=paper_id)
        .select_related("reading_list")
        .first()
    )


def save(user: User, paper_id: int, list_id: int | None = None) -> SavedPaper:
    """Save a paper (into the default list unless a list is named); saving a saved paper into
    another list moves it, into its own list changes nothing."""
    standing.ensure_can_write(user)
    if not Paper.objects.filter(pk=paper_id).exists():
        raise NotFound("There is no such paper.")
    target = own_list(user, list_id) if list_id is not None else None
    existing = SavedPaper.objects.filter(owner=user, paper_id=paper_id).first()
    if existing is not None:
        if target is not None and existing.reading_list_id != target.pk:
            existing.reading_list = target
            existing.save(update_fields=["reading_list", "updated_at"])
        return existing
    if SavedPaper.objects.filter(owner=user).count() >= MAX_SAVED:
        raise Conflict(f"You saved {MAX_SAVED:,} papers already; remove some first.")
    into = target or default_list(user)
    try:
        with transaction.atomic():
            return SavedPaper.objects.create(owner=user, paper_id=paper_id, reading_list=into)
    except IntegrityError:
        return SavedPaper.objects.get(owner=user, paper_id=paper_id)


def unsave(user: User, paper_id: int) -> None:
    """Remove a paper from the library (and its note); a no-op when it is not saved."""
    SavedPaper.objects.filter(owner=user, paper_id=paper_id).delete()


def parse_status(raw: str) -> str:
    if raw not in STATUSES:
        raise InvalidInput(
            "The status is 'to_read' or 'read'.", field_errors={"status": [raw[:40]]}
        )
    return raw


def set_status(user: User, paper_id: int, status: str) -> SavedPaper:
    """Set the status, saving the paper first when it is not saved yet."""
    status = parse_status(status)
    entry = save(user, paper_id)
    entry.status = status
    entry.save(update_fields=["status", "updated_at"])
    return entry


def set_note(user: User, paper_id: int, markdown: str) -> SavedPaper:
    """Write the reader's private note on a paper (saving it first when needed); an empty note
    removes the note."""
    standing.ensure_can_write(user)
    text = markdown.replace("\r\n", "\n").strip()
    if len(text) > NOTE_MAX:
        raise InvalidInput(
            f"A note has at most {NOTE_MAX:,} characters.", field_errors={"note": ["Too long."]}
        )
    html = markup.render(text).html if text else ""  # outside the transaction: the write rule
    entry = save(user, paper_id)
    entry.note_markdown = text
    entry.note_html = html
    entry.renderer_version = RENDERER_VERSION
    entry.save(update_fields=["note_markdown", "note_html", "renderer_version", "updated_at"])
    return entry


def rerender_notes() -> int:
    """Render again every note written by an older renderer (the `rerender` command)."""
    done = 0
    stale = SavedPaper.objects.exclude(note_markdown="").exclude(renderer_version=RENDERER_VERSION)
    for entry in stale.only("pk", "note_markdown").iterator(chunk_size=200):
        html = markup.render(entry.note_markdown).html
        SavedPaper.objects.filter(pk=entry.pk).update(
            note_html=html, renderer_version=RENDERER_VERSION
        )
        done += 1
    return done


def entries(
    user: User, *, list_id: int | None = None, status: str | None = None
) -> QuerySet[SavedPaper]:
    """The reader's saved papers, newest first, papers and lists loaded (one query)."""
    found = SavedPaper.objects.filter(owner=user).select_related("paper", "reading_list")
    if list_id is not None:
        found = found.filter(reading_list_id=list_id)
    if status:
        found = found.filter(status=parse_status(status))
    return found.order_by("-created_at", "-pk")


def papers_of(reading_list: ReadingList) -> list[Paper]:
    """A list's papers, newest saved first: what a public list shows (never notes)."""
    return [
        entry.paper
        for entry in SavedPaper.objects.filter(reading_list=reading_list)
        .select_related("paper")
        .order_by("-created_at", "-pk")
    ]


# --- Export and import ------------------------------------------------------------------------


def export_bibtex(reading_list: ReadingList) -> str:
    return exports.bibtex(papers_of(reading_list))


def _identifiers(papers: list[Paper]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    rows = PaperIdentifier.objects.filter(
        paper__in=papers, scheme__in=[PaperIdentifier.Scheme.DOI, PaperIdentifier.Scheme.ARXIV]
    ).values_list("paper_id", "scheme", "value")
    for paper_id, scheme, value in rows:
        found.setdefault(paper_id, {}).setdefault(scheme, value)
    return found


def _csl_name(name: str) -> dict[str, str]:
    parts = name.rsplit(" ", 1)
    if len(parts) == 2:
        return {"given": parts[0], "family": parts[1]}
    return {"literal": name}


def export_csl(reading_list: ReadingList) -> str:
    """The list as CSL-JSON (what Zotero, Pandoc and citeproc read)."""
    papers = papers_of(reading_list)
    ids = _identifiers(papers)
    items: list[dict[str, Any]] = []
    for paper in papers:
        item: dict[str, Any] = {
            "id": f"shortscience-{paper.pk}",
            "type": "article",
            "title": paper.title,
            "author": [_csl_name(name) for name in paper.authors if isinstance(name, str)],
        }
        if paper.year:
            item["issued"] = {"date-parts": [[paper.year]]}
        known = ids.get(paper.pk, {})
        if "doi" in known:
            item["DOI"] = known["doi"]
        if "arxiv" in known:
            item["number"] = f"arXiv:{known['arxiv']}"
        if paper.url:
            item["URL"] = paper.url
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class ImportedEntry:
    line: int
    key: str
    outcome: str  # "saved", "already saved", "error"
    message: str
    paper_id: int | None = None


_ENTRY_START = re.compile(r"^[ \t]*@", re.MULTILINE)
_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]*)")


def _chunks(text: str) -> list[tuple[int, str]]:
    """Each entry's text with the line it starts on, so one bad entry spoils only itself."""
    starts = [m.start() for m in _ENTRY_START.finditer(text)]
    return [
        (text.count("\n", 0, start) + 1, text[start:end])
        for start, end in zip(starts, [*starts[1:], len(text)], strict=True)
        if not text[start:end].lstrip().lower().startswith(("@comment", "@preamble", "@string"))
    ]


def import_bibtex(user: User, list_id: int, text: str) -> list[ImportedEntry]:
    """Save every entry of a BibTeX file into a list: a paper already here (same DOI, arXiv id
    or other identifier: services/works.py) is reused, the others are created. Each entry's
    outcome is reported; a bad entry is reported with its line and the rest goes on."""
    standing.ensure_can_write(user)
    target = own_list(user, list_id)
    if len(text.encode()) > IMPORT_MAX_BYTES:
        raise InvalidInput(f"A BibTeX file here has at most {IMPORT_MAX_BYTES // 1024} KB.")
    chunks = _chunks(text)
    if not chunks:
        raise InvalidInput("No BibTeX entry found (entries start with @article{, ...).")
    if len(chunks) > IMPORT_MAX_ENTRIES:
        raise InvalidInput(f"A BibTeX file here has at most {IMPORT_MAX_ENTRIES} entries.")
    report: list[ImportedEntry] = []
    for line, chunk in chunks:
        key_match = _KEY.match(chunk.lstrip())
        key = key_match.group(1) if key_match else ""
        try:
            meta = parse_bibtex(chunk)[0]
            paper = lookup.create(meta, user)
            was_saved = SavedPaper.objects.filter(
                owner=user, paper=paper, reading_list=target
            ).exists()
            save(user, paper.pk, target.pk)
        except BibtexError as bad:
            where = line + (bad.line - 1 if bad.line else 0)
            message = str(bad).split(": ", 1)[1] if bad.line else str(bad)
            report.append(ImportedEntry(where, key, "error", message))
            continue
        except (InvalidInput, Conflict, NotFound) as refused:
            report.append(ImportedEntry(line, key, "error", refused.message))
            continue
        outcome = "already saved" if was_saved else "saved"
        report.append(ImportedEntry(line, key, outcome, paper.title, paper.pk))
    return report
