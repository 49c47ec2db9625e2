"""Loading a public dump into an empty database, all or nothing, checking every line and
reference and filling what the dump leaves out with inactive placeholders."""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.db.models.fields import DateField

from shortscience.metadata.titles import title_key
from shortscience.models import (
    AuthorClaim,
    AuthorOrcid,
    Comment,
    Erratum,
    Paper,
    PaperIdentifier,
    Revision,
    Summary,
    User,
    Venue,
    Vote,
)
from shortscience.rendering import RENDERER_VERSION
from shortscience.services import accounts, events
from shortscience.services.dumps.format import (
    ADDED,
    CHUNK,
    FILES,
    FORMAT,
    FORMAT_VERSION,
    PLAIN,
    DumpError,
    sha256,
)

Source = AuthorClaim.Source


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)
    stale_renders: int = 0  # summaries and comments rendered by another renderer version
    dump_renderer_version: int | None = None


def load(directory: Path, *, force: bool = False) -> LoadReport:
    """Load a dump written by `write`, all or nothing. A database with content is refused
    unless `force`; then rows that clash with existing ones abort the load."""
    manifest = _read_manifest(directory)
    with transaction.atomic():
        if not force and any(m.objects.exists() for m in (User, Venue, Paper, Summary, Comment)):
            raise DumpError(
                "The database already has content; load a dump only into an empty one "
                "(or pass --force to try anyway)."
            )
        loader = _Loader(directory)
        try:
            report = loader.run()
        except DatabaseError as error:  # a clash with existing rows, or a value too long
            raise DumpError(f"The database refused the dump: {error}".strip()) from error
        for name, info in manifest["files"].items():
            if loader.lines[name] != info.get("records"):
                raise DumpError(f"{name}: {loader.lines[name]} records, not {info['records']}.")
        _reset_sequences()
        events.bulk_loaded()
    report.dump_renderer_version = manifest.get("renderer_version")
    return report


def _read_manifest(directory: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DumpError(f"manifest.json: cannot be read ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DumpError(f"manifest.json: this is not a {FORMAT}.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise DumpError(
            f"manifest.json: format version {version!r}; this site reads up to {FORMAT_VERSION}."
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or set(files) != set(FILES):
        raise DumpError(f"manifest.json: 'files' must list exactly {', '.join(FILES)}.")
    for name in FILES:
        try:
            actual = sha256(directory / name)
        except OSError as error:
            raise DumpError(f"{name}: cannot be read ({error}).") from error
        if not isinstance(files[name], dict) or actual != files[name].get("sha256"):
            raise DumpError(f"{name}: its SHA-256 does not match manifest.json (changed or cut).")
    return manifest


def _reset_sequences() -> None:
    """Rows were inserted with their ids; PostgreSQL's sequences must move past them."""
    models: list[type[Model]] = [Venue, Paper, PaperIdentifier, Summary, Revision, Comment, Vote]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


@contextmanager
def _dates_as_given(*models: type[Model]) -> Iterator[None]:
    """Switch off auto_now/auto_now_add while loading so rows keep the dump's dates. Only
    load_dump does this, in its own process; the flags are restored even on error."""
    fields = [f for m in models for f in m._meta.concrete_fields if isinstance(f, DateField)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class _Line:
    """One parsed line; every check names the file and line when it fails."""

    def __init__(self, name: str, number: int, text: str) -> None:
        self.name, self.where = name, f"{name} line {number}"
        try:
            record = json.loads(text)
        except ValueError as error:
            raise DumpError(f"{self.where}: not JSON ({error}).") from error
        if not isinstance(record, dict):
            raise DumpError(f"{self.where}: expected a JSON object.")
        self.record: dict[str, Any] = record

    def fail(self, message: str) -> DumpError:
        return DumpError(f"{self.where}: {message}")

    def plain(self) -> dict[str, Any]:
        """The file's plain fields, checked and converted, ready for the model."""
        return {key: self.value(key, kind) for key, kind in PLAIN[self.name].items()}

    def value(self, key: str, kind: str) -> Any:
        if key not in self.record:
            if key in ADDED.get(self.name, {}):
                return ADDED[self.name][key]
            raise self.fail(f"'{key}' is missing.")
        raw = self.record[key]
        if raw is None and kind.endswith("?"):
            return None
        kind = kind.rstrip("?")
        if kind == "time" and isinstance(raw, str):
            moment = _parse_time(raw)
            if moment is not None:
                return moment
        # JSON true/false arrive as bool, which Python also counts as an int.
        number = isinstance(raw, int) and not isinstance(raw, bool)
        valid = {
            "count": number and raw >= 0,
            "signed": number,
            "text": isinstance(raw, str),
            "flag": isinstance(raw, bool),
            "texts": isinstance(raw, list) and all(isinstance(item, str) for item in raw),
            "list": isinstance(raw, list),
        }.get(kind, False)
        if not valid:
            raise self.fail(f"'{key}' is not a valid {kind}: {json.dumps(raw)[:80]}.")
        return raw

    def optional_list(self, key: str, keys: set[str]) -> list[dict[str, Any]]:
        """A list of objects with exactly `keys`, all text (an absent key: an empty list)."""
        items = self.record.get(key, [])
        if not isinstance(items, list) or not all(
            isinstance(item, dict)
            and set(item) == keys
            and all(isinstance(v, str) for v in item.values())
            for item in items
        ):
            raise self.fail(f"'{key}' is a list of objects with {', '.join(sorted(keys))}.")
        return items

    def known(self, key: str, value: Any, ids: Container[Any], what: str) -> None:
        """A reference (None: no reference) must name something loaded before it."""
        if value is not None and value not in ids:
            raise self.fail(f"'{key}' {value} names no {what} earlier in this dump.")


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class _Loader:
    """Reads the files in dependency order, checking each line and every reference."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.lines: dict[str, int] = {}
        self.report = LoadReport()
        self.venues: dict[str, int] = {}  # key -> id
        self.users: dict[str, int] = {}  # username -> id (0 until inserted)
        self.papers: set[int] = set()
        self.identifiers: list[PaperIdentifier] = []  # of the batch of papers being loaded
        self.orcids: list[AuthorOrcid] = []  # the same batch's listed ORCID iDs
        self.claims: list[AuthorClaim] = []  # and its verified authors
        self.errata: list[Erratum] = []  # of the batch of comments being loaded
        self.summaries: set[int] = set()
        self.summary_authors: dict[int, int] = {}  # id -> author (or anonymous placeholder) id
        self.comments: dict[int, int] = {}  # id -> summary id
        self.anonymous_slots: dict[int, int] = {}  # paper id -> anonymous summaries so far
        self.anonymous_authors: dict[int, int] = {}  # slot -> placeholder id
        self.deleted_author: int | None = None

    def run(self) -> LoadReport:
        with _dates_as_given(Summary, Comment, Revision, AuthorClaim):
            self._load("venues.jsonl", self._venue, Venue)
            self._load("users.jsonl", self._user, User, after=self._user_ids)
            self._load("papers.jsonl", self._paper, Paper, after=self._identifiers)
            self._load("summaries.jsonl", self._summary, Summary, after=self._revisions)
            self._load("comments.jsonl", self._comment, Comment, after=self._errata)
            self._load_votes()
        return self.report

    def _records(self, name: str) -> Iterator[_Line]:
        count = 0
        with (self.directory / name).open(encoding="utf-8") as lines:
            for number, text in enumerate(lines, start=1):
                if text.strip():
                    count += 1
                    yield _Line(name, number, text)
        self.lines[name] = count

    def _load(
        self,
        name: str,
        build: Callable[[_Line], Any],
        model: type[Model],
        after: Callable[[list[Any]], None] | None = None,
    ) -> None:
        batch: list[Any] = []
        total = 0
        for line in self._records(name):
            batch.append(build(line))
            if len(batch) == CHUNK:
                total += self._flush(model, batch, after)
                batch = []
        self.report.counts[name] = total + self._flush(model, batch, after)

    @staticmethod
    def _flush(
        model: type[Model], batch: list[Any], after: Callable[[list[Any]], None] | None
    ) -> int:
        if batch:
            model._default_manager.bulk_create(batch)
            if after is not None:
                after(batch)
        return len(batch)

    def _venue(self, line: _Line) -> Venue:
        values = line.plain()
        if values["key"] in self.venues:
            raise line.fail(f"venue {values['key']!r} appears twice.")
        self.venues[values["key"]] = values["id"]
        return Venue(**values)

    def _user(self, line: _Line) -> User:
        values = line.plain()
        name = values["username"]
        if not name or accounts.is_placeholder(name) or name in self.users:
            raise line.fail(f"username {name!r} is empty, reserved or repeated.")
        self.users[name] = 0
        # Loaded people cannot sign in here: no password, no e-mail address.
        return User(**values, password=make_password(None))

    def _user_ids(self, batch: list[User]) -> None:
        names = [user.username for user in batch]
        self.users.update(User.objects.filter(username__in=names).values_list("username", "pk"))

    def _paper(self, line: _Line) -> Paper:
        values = line.plain()
        venue = line.value("venue", "text?")
        line.known("venue", venue, self.venues, "venue")
        if values["id"] in self.papers:
            raise line.fail(f"paper {values['id']} appears twice.")
        for item in line.value("identifiers", "list"):
            if not (isinstance(item, dict) and set(item) == {"scheme", "value"}) or not all(
                isinstance(v, str) for v in item.values()
            ):
                raise line.fail("each identifier needs a 'scheme' and a 'value' string.")
            self.identifiers.append(
                PaperIdentifier(paper_id=values["id"], scheme=item["scheme"], value=item["value"])
            )
        self._authors(line, values["id"])
        self.papers.add(values["id"])
        # The folded title is derived, never trusted from (or required in) a dump.
        values["title_key"] = title_key(str(values.get("title", "")))
        return Paper(**values, venue_id=self.venues.get(venue or ""))

    def _authors(self, line: _Line, paper_id: int) -> None:
        """Listed ORCID iDs and verified authors (absent from dumps made before them)."""
        for item in line.optional_list("author_orcids", {"orcid", "name"}):
            self.orcids.append(AuthorOrcid(paper_id=paper_id, **item))
        keys = {"username", "orcid", "source", "claimed_at", "verified_at"}
        for item in line.optional_list("verified_authors", keys):
            line.known("verified_authors", item["username"], self.users, "user")
            claimed, verified = _parse_time(item["claimed_at"]), _parse_time(item["verified_at"])
            if claimed is None or verified is None or item["source"] not in Source.values:
                raise line.fail(f"verified author {item['username']!r} has a bad time or source.")
            self.claims.append(
                AuthorClaim(
                    paper_id=paper_id,
                    user_id=self.users[item["username"]],
                    orcid=item["orcid"],
                    status=AuthorClaim.Status.APPROVED,
                    source=item["source"],
                    created_at=claimed,
                    decided_at=verified,
                )
            )

    def _identifiers(self, batch: list[Paper]) -> None:
        PaperIdentifier.objects.bulk_create(self.identifiers)
        AuthorOrcid.objects.bulk_create(self.orcids)
        AuthorClaim.objects.bulk_create(self.claims)
        self.identifiers, self.orcids, self.claims = [], [], []

    def _summary(self, line: _Line) -> Summary:
        values = line.plain()
        line.known("paper_id", values["paper_id"], self.papers, "paper")
        author = line.value("author", "text?")
        line.known("author", author, self.users, "user")
        if values["id"] in self.summaries:
            raise line.fail(f"summary {values['id']} appears twice.")
        self.summaries.add(values["id"])
        self._count_render(values["renderer_version"])
        author_id = self._anonymous(values["paper_id"]) if author is None else self.users[author]
        self.summary_authors[values["id"]] = author_id
        return Summary(
            **values,
            author_id=author_id,
            is_anonymous=author is None,
            status=Summary.Status.PUBLISHED,
            visibility=Summary.Visibility.PUBLIC,
        )

    def _revisions(self, batch: list[Summary]) -> None:
        """Each loaded summary starts its history with the text it has."""
        Revision.objects.bulk_create(
            Revision(
                summary_id=s.pk,
                number=1,
                markdown=s.markdown,
                status=s.status,
                created_at=s.edited_at or s.published_at or s.created_at,
            )
            for s in batch
        )

    def _comment(self, line: _Line) -> Comment:
        values = line.plain()
        line.known("summary_id", values["summary_id"], self.summaries, "public summary")
        parent = values["parent_id"]
        if parent is not None and self.comments.get(parent) != values["summary_id"]:
            raise line.fail(f"'parent_id' {parent} names no earlier comment on that summary.")
        author = line.value("author", "text?")
        line.known("author", author, self.users, "user")
        deleted = line.value("deleted", "flag")
        # "The author (anonymous)": the summary's author (its placeholder) wrote it.
        by_summary_author = line.value("by_summary_author", "flag")
        if by_summary_author and author is not None:
            raise line.fail("a comment by_summary_author has a null 'author'.")
        if values["id"] in self.comments:
            raise line.fail(f"comment {values['id']} appears twice.")
        self.comments[values["id"]] = values["summary_id"]
        if not deleted:
            self._count_render(values["renderer_version"])
        self._erratum(line, values["id"])
        if by_summary_author:
            author_id = self.summary_authors[values["summary_id"]]
        else:
            author_id = self._deleted() if author is None else self.users[author]
        return Comment(
            **values,
            author_id=author_id,
            as_summary_author=by_summary_author,
            # The dump does not say when a tombstone was deleted; its creation time stands in.
            deleted_at=values["created_at"] if deleted else None,
        )

    def _erratum(self, line: _Line, comment_id: int) -> None:
        erratum = line.record.get("erratum")
        if erratum is None:
            return
        keys = {"status", "note", "by", "marked_at"}
        if not isinstance(erratum, dict) or set(erratum) != keys:
            raise line.fail(f"'erratum' is null or an object with {', '.join(sorted(keys))}.")
        marked_at = (
            _parse_time(erratum["marked_at"]) if isinstance(erratum["marked_at"], str) else None
        )
        by = erratum["by"]
        line.known("erratum.by", by, self.users, "user")
        if erratum["status"] not in Erratum.Status.values or marked_at is None:
            raise line.fail("'erratum' has a bad status or time.")
        if not isinstance(erratum["note"], str):
            raise line.fail("'erratum.note' is not text.")
        self.errata.append(
            Erratum(
                comment_id=comment_id,
                status=erratum["status"],
                note=erratum["note"],
                marked_by_id=None if by is None else self.users[by],
                marked_at=marked_at,
            )
        )

    def _errata(self, batch: list[Comment]) -> None:
        Erratum.objects.bulk_create(self.errata)
        self.errata = []

    def _load_votes(self) -> None:
        counts: dict[int, tuple[int, int]] = {}
        for line in self._records("votes.jsonl"):
            summary_id = line.value("summary_id", "count")
            line.known("summary_id", summary_id, self.summaries, "public summary")
            if summary_id in counts:
                raise line.fail(f"summary {summary_id} has a second line.")
            counts[summary_id] = (line.value("up", "count"), line.value("down", "count"))
        most = max((up + down for up, down in counts.values()), default=0)
        voters = [accounts.placeholder(f"voter-{n}", "[voter]").pk for n in range(1, most + 1)]
        Vote.objects.bulk_create(
            (
                Vote(summary_id=summary_id, user_id=voters[n], value=1 if n < up else -1)
                for summary_id, (up, down) in counts.items()
                for n in range(up + down)
            ),
            batch_size=CHUNK,
        )
        self.report.counts["votes.jsonl"] = len(counts)

    def _anonymous(self, paper_id: int) -> int:
        """The k-th anonymous summary of a paper belongs to placeholder anonymous-k: one
        summary per author per paper holds without a user per summary."""
        slot = self.anonymous_slots[paper_id] = self.anonymous_slots.get(paper_id, 0) + 1
        if slot not in self.anonymous_authors:
            self.anonymous_authors[slot] = accounts.placeholder(f"anonymous-{slot}", "Anonymous").pk
        return self.anonymous_authors[slot]

    def _deleted(self) -> int:
        if self.deleted_author is None:
            self.deleted_author = accounts.placeholder("deleted").pk
        return self.deleted_author

    def _count_render(self, version: int) -> None:
        if version != RENDERER_VERSION:
            self.report.stale_renders += 1
