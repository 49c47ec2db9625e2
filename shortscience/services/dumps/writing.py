"""Writing the public dump: one JSON Lines file per kind of record, then LICENSE.txt and
manifest.json. Only what any visitor can see goes in (see the package docstring)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Model, OuterRef, Prefetch, Q
from django.utils import timezone

from shortscience.models import (
    Comment,
    Paper,
    PaperIdentifier,
    Summary,
    User,
    Venue,
)
from shortscience.models.summaries import public_q
from shortscience.rendering import RENDERER_VERSION
from shortscience.services import accounts
from shortscience.services.dumps.format import (
    CHUNK,
    FORMAT,
    FORMAT_VERSION,
    LICENSE,
    PLAIN,
    iso,
)


def write(directory: Path, *, now: datetime | None = None) -> dict[str, int]:
    """Write the dump into `directory` (created if needed); returns records per file."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {name: _write_jsonl(directory / name, produce()) for name, produce in _FILES.items()}
    (directory / "LICENSE.txt").write_text(
        LICENSE.format(site=settings.SITE_URL, license=settings.DUMP_LICENSE), encoding="utf-8"
    )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": iso(now or timezone.now()),
        "license": settings.DUMP_LICENSE,
        "site": settings.SITE_URL,
        "renderer_version": RENDERER_VERSION,
        "files": files,
    }
    (directory / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return {name: info["records"] for name, info in files.items()}


def _write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    digest, count = hashlib.sha256(), 0
    with path.open("wb") as out:
        for record in records:
            text = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
            line = text.encode("utf-8")
            out.write(line)
            digest.update(line)
            count += 1
    return {"records": count, "sha256": digest.hexdigest()}


def _plain(name: str, row: Model) -> dict[str, Any]:
    values = {key: getattr(row, key) for key in PLAIN[name]}
    return {k: iso(v) if isinstance(v, datetime) else v for k, v in values.items()}


def _shown() -> Q:
    return Q(deleted_at__isnull=True, is_hidden=False)


def _venues() -> Iterator[dict[str, Any]]:
    for venue in Venue.objects.order_by("pk").iterator(chunk_size=CHUNK):
        yield _plain("venues.jsonl", venue)


def _users() -> Iterator[dict[str, Any]]:
    named = Summary.objects.filter(public_q(), author=OuterRef("pk"), is_anonymous=False)
    commented = Comment.objects.filter(_shown(), public_q("summary__"), author=OuterRef("pk"))
    people = User.objects.filter(Exists(named) | Exists(commented)).exclude(
        accounts.placeholder_q()
    )
    for person in sorted(people, key=lambda p: p.username):
        yield _plain("users.jsonl", person)


def _papers() -> Iterator[dict[str, Any]]:
    identifiers = PaperIdentifier.objects.order_by("scheme", "value")
    rows = (
        Paper.objects.select_related("venue")
        .prefetch_related(Prefetch("identifiers", queryset=identifiers))
        .order_by("pk")
    )
    for paper in rows.iterator(chunk_size=CHUNK):
        yield {
            **_plain("papers.jsonl", paper),
            "venue": paper.venue.key if paper.venue else None,
            "identifiers": [
                {"scheme": i.scheme, "value": i.value} for i in paper.identifiers.all()
            ],
        }


def _summaries() -> Iterator[dict[str, Any]]:
    rows = Summary.objects.public().select_related("author").order_by("pk")
    for summary in rows.iterator(chunk_size=CHUNK):
        author = None if summary.is_anonymous else _author(summary.author)
        yield {**_plain("summaries.jsonl", summary), "author": author}


def _comments() -> Iterator[dict[str, Any]]:
    shown_reply = Comment.objects.filter(_shown(), parent=OuterRef("pk"))
    rows = (
        Comment.objects.filter(public_q("summary__"))
        .filter(_shown() | Q(Exists(shown_reply)))
        .select_related("author")
        .order_by("pk")
    )
    for comment in rows.iterator(chunk_size=CHUNK):
        record = _plain("comments.jsonl", comment)
        if comment.is_deleted:  # a tombstone holding shown replies: no author, no text
            record.update(markdown="", html="", edited_at=None)
        record.update(
            author=None if comment.is_deleted else _author(comment.author),
            deleted=comment.is_deleted,
        )
        yield record


def _votes() -> Iterator[dict[str, Any]]:
    rows = (
        Summary.objects.public()
        .annotate(
            up=Count("votes", filter=Q(votes__value=1)),
            down=Count("votes", filter=Q(votes__value=-1)),
        )
        .order_by("pk")
        .values_list("pk", "score", "up", "down")
    )
    for summary_id, score, up, down in rows.iterator(chunk_size=CHUNK):
        yield {"summary_id": summary_id, "score": score, "up": up, "down": down}


_FILES: dict[str, Callable[[], Iterable[dict[str, Any]]]] = {
    "venues.jsonl": _venues,
    "users.jsonl": _users,
    "papers.jsonl": _papers,
    "summaries.jsonl": _summaries,
    "comments.jsonl": _comments,
    "votes.jsonl": _votes,
}


def _author(user: User) -> str | None:
    return None if accounts.is_placeholder(user.username) else user.username
