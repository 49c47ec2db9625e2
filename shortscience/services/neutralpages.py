"""Signed-in pages rendered once for every reader, and the test that says a copy fits a reader.

A signed-in page differs from reader to reader in a few places only: the site header (their
name, their unread count), the CSRF token of its forms, and wherever the reader is related to
what the page shows (their vote on a summary, a summary or comment they wrote, a paper or person
they follow, their own page, their unpublished summaries of a paper). A page is rendered once for
a *neutral* reader, signed in but related to nothing, while a `Witness` records every relation
the page could have depended on: the summaries whose vote buttons it shows, the authors of what
it shows, the follow buttons it shows, the person or paper whose reader-specific parts it skips.

A reader gets the neutral copy, with their header and CSRF token put in its two placeholders,
when they have none of those relations (one query with an indexed lookup per kind of id in the
witness, which also loads the reader's row and unread count and asks whether they moderate:
`reader_facts`);
otherwise the page is rendered for them as before. So the copy is either exactly what the full
render would give or not used: no per-reader state is ever guessed. The copy is stored under the
same tags as the anonymous one (`services/pagecache.py`), so every write that changes the page
changes its key; the reader's own facts are read afresh on every request.

Code that decides something from the viewer calls `note_*` here; outside a neutral render those
calls cost a context-variable lookup and do nothing.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db import connection
from django.db.models import Count, Exists, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.middleware.csrf import CSRF_TOKEN_LENGTH

from shortscience.models import Follow, Summary, User, Vote
from shortscience.services import notifications, pagecache, splice, standing

#: Pages (URL names) with a shared signed-in copy. Search is not one: it lists the reader's own
#: drafts among its hits, which no witness here records.
SIGNED_IN_PAGES = frozenset(
    {"home", "about", "paper", "summary", "user", "users", "venues", "venue"}
)

NEUTRAL_USERNAME = "\x00neutral-reader"


@dataclass
class Witness:
    """Every relation between a reader and a page that the page's HTML depends on."""

    summary_ids: set[int] = field(default_factory=set)  # vote buttons shown
    author_ids: set[int] = field(default_factory=set)  # summaries and comments shown
    own_paper_ids: set[int] = field(default_factory=set)  # papers whose own summaries would show
    person_ids: set[int] = field(default_factory=set)  # people whose own page this is
    followed: dict[str, set[int]] = field(
        default_factory=lambda: {"paper": set(), "user": set(), "summary": set(), "venue": set()}
    )


_recording: ContextVar[Witness | None] = ContextVar("neutral_page_witness", default=None)


@contextmanager
def recording() -> Iterator[Witness]:
    """Render inside this block to learn what the page depends on."""
    witness = Witness()
    token = _recording.set(witness)
    try:
        yield witness
    finally:
        _recording.reset(token)


def is_recording() -> bool:
    return _recording.get() is not None


def note_summaries(summary_ids: Iterable[int], author_ids: Iterable[int | None]) -> None:
    witness = _recording.get()
    if witness is not None:
        witness.summary_ids.update(summary_ids)
        witness.author_ids.update(a for a in author_ids if a is not None)


def note_own_summaries_of(paper_id: int) -> None:
    witness = _recording.get()
    if witness is not None:
        witness.own_paper_ids.add(paper_id)


def note_person(person_id: int) -> None:
    witness = _recording.get()
    if witness is not None:
        witness.person_ids.add(person_id)


class _NotedIds(frozenset[int]):
    """An empty id set that records what a template asked it about (`{% if id in ids %}`)."""

    kind: str

    def __contains__(self, item: object) -> bool:
        witness = _recording.get()
        if witness is not None and isinstance(item, int):
            witness.followed[self.kind].add(item)
        return False


def noted_ids(kind: str) -> frozenset[int]:
    ids = _NotedIds()
    ids.kind = kind
    return ids


def neutral_reader() -> User:
    """The reader a neutral copy is rendered for: signed in, related to nothing (no row has id
    0, so every lookup of their votes, follows or summaries finds nothing), never staff."""
    reader = User(pk=0, username=NEUTRAL_USERNAME, is_active=True)
    reader._state.adding = False  # lookups by this user are allowed and simply match nothing
    reader._state.db = "default"
    return reader


@functools.cache
def csrf_placeholder() -> str:
    """Stands for the reader's CSRF token in shared HTML. Derived from SECRET_KEY, so no text a
    user writes can contain it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"page csrf placeholder", hashlib.sha256)
    return "csrf" + digest.hexdigest()[:32]


@functools.cache
def header_placeholder() -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), b"page header placeholder", hashlib.sha256)
    return "<!--account-" + digest.hexdigest()[:32] + "-->"


#: The reader's fields the shared copy's header and the session check need; the rest load on
#: first use, like any deferred field.
READER_FIELDS = (
    "id",
    "username",
    "display_name",
    "password",
    "is_active",
    "is_staff",
    "is_superuser",
)


@dataclass(frozen=True)
class ReaderFacts:
    reader: User | None  # None: no such person
    fits: bool  # the neutral copy is exactly this reader's page
    unread_notifications: int


def reader_facts(witness: Witness, reader_id: int) -> ReaderFacts:
    """The reader's row, whether the neutral copy fits them (they have none of the relations it
    records) and their unread count for the header: one query, each part an indexed lookup
    bounded by the page's own ids."""
    ids = _FactIds(
        voted=sorted(witness.summary_ids),
        wrote=sorted(witness.own_paper_ids),
        papers=sorted(witness.followed["paper"]),
        people=sorted(witness.followed["user"]),
        discussions=sorted(witness.followed["summary"]),
        venues=sorted(witness.followed["venue"]),
    )
    sql, params = _prepared(connection.vendor, ids.shape()).bind(reader_id, ids)
    with _statement_cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        found = cursor.fetchone()
    if found is None:
        return ReaderFacts(reader=None, fits=False, unread_notifications=0)
    row = dict(zip(columns, found, strict=True))
    fields = {name: row.pop(name) for name in READER_FIELDS}
    # from_db takes the loaded values in the model's field order.
    names = [f.attname for f in User._meta.concrete_fields if f.attname in fields]
    reader = User.from_db(connection.alias, names, [fields[name] for name in names])
    unread_count = int(row.pop("fact_unread"))
    related = (
        any(row.values()) or reader_id in witness.author_ids or reader_id in witness.person_ids
    )
    return ReaderFacts(reader=reader, fits=not related, unread_notifications=unread_count)


def _statement_cursor() -> Any:
    """A cursor through Django's wrapper (query logging, execute wrappers, error mapping). On
    PostgreSQL it binds parameters on the server and prepares the statement: planning this
    query cost the server about 1 ms a request, running it 0.1 ms. Django's own cursors bind on
    the client, and its connections leave psycopg's automatic preparing off
    (`prepare_threshold=None`), so this cursor asks for it on every execute."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    raw: Any = _preparing_cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


@functools.cache
def _preparing_cursor_class() -> type:
    import psycopg  # only on PostgreSQL

    class PreparingCursor(psycopg.Cursor[Any]):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs.setdefault("prepare", True)
            return super().execute(query, params, **kwargs)

    return PreparingCursor


@dataclass(frozen=True)
class _FactIds:
    voted: list[int]  # summaries whose vote buttons show
    wrote: list[int]  # papers whose own summaries would show
    papers: list[int]  # follow buttons, by kind
    people: list[int]
    discussions: list[int]
    venues: list[int]

    def shape(self) -> tuple[int, ...]:
        return (
            len(self.voted),
            len(self.wrote),
            len(self.papers),
            len(self.people),
            len(self.discussions),
            len(self.venues),
        )


def _facts_query(reader_id: int, ids: _FactIds) -> QuerySet[User, dict[str, Any]]:
    """The one query, built by the ORM from the rules it checks (the unread count is the
    notifications service's own)."""
    unread = notifications.unread(reader_id).order_by().values("recipient")
    # Named apart from the user's own fields and relations (a user has `follows`).
    checks: dict[str, Any] = {
        "fact_unread": Coalesce(Subquery(unread.annotate(n=Count("pk")).values("n")), 0)
    }
    if ids.voted:
        checks["fact_voted"] = Exists(
            Vote.objects.filter(user_id=reader_id, summary_id__in=ids.voted)
        )
    if ids.wrote:
        checks["fact_wrote"] = Exists(
            Summary.objects.filter(author_id=reader_id, paper_id__in=ids.wrote)
        )
    targets = Q()
    if ids.papers:
        targets |= Q(paper_id__in=ids.papers)
    if ids.people:
        targets |= Q(followed_user_id__in=ids.people)
    if ids.discussions:
        targets |= Q(summary_id__in=ids.discussions)
    if ids.venues:
        targets |= Q(venue_id__in=ids.venues)
    if targets:
        checks["fact_follows"] = Exists(Follow.objects.filter(targets, follower_id=reader_id))
    # Moderators' pages show the moderation link and hidden comments: never the shared copy.
    checks["fact_moderates"] = Exists(
        Group.objects.filter(name=standing.MODERATORS_GROUP, user__pk=reader_id)
    )
    rows: QuerySet[User, dict[str, Any]] = User.objects.filter(pk=reader_id).values(
        *READER_FIELDS, **checks
    )
    return rows


@dataclass(frozen=True)
class _Prepared:
    """The facts query of one shape (how many ids of each kind), compiled once: building it
    through the ORM cost 1-4 ms a request, running it 0.01 ms. Each parameter is a constant
    of the query or the slot of one of the reader's or the page's ids."""

    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[str, int] | None, ...]

    def bind(self, reader_id: int, ids: _FactIds) -> tuple[str, list[Any]]:
        values = {("reader", 0): reader_id}
        for name in _FactIds.__dataclass_fields__:
            values.update({(name, i): v for i, v in enumerate(getattr(ids, name))})
        params = [
            values[slot] if slot is not None else constant
            for slot, constant in zip(self.slots, self.params, strict=True)
        ]
        return self.sql, params


# Sentinels stand for the ids while a shape is compiled: no row has a negative id.
_SENTINEL_BASE = -(10**15)


@functools.lru_cache(maxsize=512)
def _prepared(vendor: str, shape: tuple[int, ...]) -> _Prepared:
    names = list(_FactIds.__dataclass_fields__)
    slot_of: dict[int, tuple[str, int]] = {_SENTINEL_BASE: ("reader", 0)}
    lists: dict[str, list[int]] = {}
    next_sentinel = _SENTINEL_BASE - 1
    for name, size in zip(names, shape, strict=True):
        lists[name] = []
        for i in range(size):
            slot_of[next_sentinel] = (name, i)
            lists[name].append(next_sentinel)
            next_sentinel -= 1
    query = _facts_query(_SENTINEL_BASE, _FactIds(**lists))
    sql, params = query.query.sql_with_params()
    slots = tuple(
        slot_of.get(p) if isinstance(p, int) and not isinstance(p, bool) else None for p in params
    )
    if {slot for slot in slots if slot is not None} != set(slot_of.values()):
        raise AssertionError("the facts query did not pass every id as a parameter")
    return _Prepared(sql, tuple(params), slots)


# --- Stored copies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NeutralPage:
    """The shared copy: its body cut at the two placeholders (header first, then each CSRF
    token) and compressed once (services/splice.py), its headers, and what it depends on."""

    body: splice.Spliced
    headers: tuple[tuple[str, str], ...]
    witness: Witness
    stored_at: float


HEADER_HOLE, CSRF_HOLE = 0, 1


def cut(body: str) -> splice.Spliced:
    """A neutral render's body, cut where the reader's header (its first placeholder only) and
    their CSRF token go."""
    return splice.prepare(
        body,
        (header_placeholder(), csrf_placeholder()),
        first_only=frozenset({HEADER_HOLE}),
        lengths={CSRF_HOLE: CSRF_TOKEN_LENGTH},
    )


def key(url: str, tags: tuple[str, ...], tag_versions: tuple[str, ...]) -> str:
    # The prefix names the stored shape: copies of an earlier shape (a deploy's old processes)
    # are never read as this one.
    return "signed2-" + pagecache.page_key(url, tags, tag_versions)


def _cache() -> Any:
    return caches[settings.PAGE_CACHE_ALIAS]


_local = pagecache.LocalCopies(32 * 1024 * 1024)


def load(page_key: str) -> NeutralPage | None:
    found = _local.get(page_key)
    if found is None:
        found = _cache().get(page_key)
        if isinstance(found, NeutralPage):
            _local.put(page_key, found, found.body.size)
    return found if isinstance(found, NeutralPage) else None


def store(page_key: str, page: NeutralPage) -> None:
    _cache().set(page_key, page, timeout=settings.PAGE_CACHE_SECONDS)
    _local.put(page_key, page, page.body.size)


def forget_local_copies() -> None:
    """Empty this process's copies (tests that empty the shared cache between them)."""
    _local.clear()
    pagecache.forget_local_copies()
