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
    AuthorClaim,
    AuthorOrcid,
    Comment,
    Erratum,
    Paper,
    PaperIdentifier,
    Summary,
    User,
    Venue,
)
from shortscience.models.comments import anonymous_comment_q, with_anonymity
from shortscience.models.summaries import public_q
from shortscience.rendering import RENDERER_VERSION
from shortscience.services import accounts, authors
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
    return _shown_q()


def _shown_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}deleted_at__isnull": True, f"{prefix}is_hidden": False})


def _venues() -> Iterator[dict[str, Any]]:
    for venue in Venue.objects.order_by("pk").iterator(chunk_size=CHUNK):
        yield _plain("venues.jsonl", venue)


def _users() -> Iterator[dict[str, Any]]:
    named = Summary.objects.filter(public_q(), author=OuterRef("pk"), is_anonymous=False)
    commented = Comment.objects.filter(
        _shown(), public_q("summary__"), author=OuterRef("pk")
    ).exclude(anonymous_comment_q())  # "the author (anonymous)" names nobody
    # Verified authors and the authors who marked a shown comment's erratum are named too.
    claimed = AuthorClaim.objects.filter(user=OuterRef("pk"), status=AuthorClaim.Status.APPROVED)
    marked = Erratum.objects.filter(
        _shown_q("comment__"), public_q("comment__summary__"), marked_by=OuterRef("pk")
    )
    people = User.objects.filter(
        Exists(named) | Exists(commented) | Exists(claimed) | Exists(marked)
    ).exclude(accounts.placeholder_q())
    for person in sorted(people, key=lambda p: p.username):
        yield _plain("users.jsonl", person)


def _papers() -> Iterator[dict[str, Any]]:
    identifiers = PaperIdentifier.objects.order_by("scheme", "value")
    claims = (
        AuthorClaim.objects.filter(status=AuthorClaim.Status.APPROVED)
        .exclude(accounts.placeholder_q("user__"))
        .select_related("user")
        .order_by("user__username")
    )
    rows = (
        Paper.objects.select_related("venue")
        .prefetch_related(
            Prefetch("identifiers", queryset=identifiers),
            Prefetch("author_orcids", queryset=AuthorOrcid.objects.order_by("orcid")),
            Prefetch("author_claims", queryset=claims),
        )
        .order_by("pk")
    )
    for paper in rows.iterator(chunk_size=CHUNK):
        yield {
            **_plain("papers.jsonl", paper),
            "venue": paper.venue.key if paper.venue else None,
            "identifiers": [
                {"scheme": i.scheme, "value": i.value} for i in paper.identifiers.all()
            ],
            "author_orcids": [
                {"orcid": a.orcid, "name": a.name} for a in paper.author_orcids.all()
            ],
            "verified_authors": [
                {
                    "username": c.user.username,
                    "orcid": c.orcid,
                    "source": c.source,
                    "claimed_at": iso(c.created_at),
                    "verified_at": iso(c.decided_at),
                }
                for c in paper.author_claims.all()
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
        with_anonymity(Comment.objects.filter(public_q("summary__")))
        .filter(_shown() | Q(Exists(shown_reply)))
        .select_related("author", "erratum", "erratum__marked_by")
        .order_by("pk")
    )
    for comment in rows.iterator(chunk_size=CHUNK):
        record = _plain("comments.jsonl", comment)
        if comment.is_deleted:  # a tombstone holding shown replies: no author, no text
            record.update(markdown="", html="", edited_at=None)
        erratum = None if comment.is_deleted else authors.erratum_of(comment)
        anonymous = comment.by_anonymous_author and not comment.is_deleted
        record.update(
            author=None if comment.is_deleted or anonymous else _author(comment.author),
            by_summary_author=anonymous,
            deleted=comment.is_deleted,
            erratum=None
            if erratum is None
            else {
                "status": erratum.status,
                "note": erratum.note,
                "by": _author(erratum.marked_by) if erratum.marked_by else None,
                "marked_at": iso(erratum.marked_at),
            },
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
