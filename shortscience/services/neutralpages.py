"""Signed-in pages rendered once for every reader, and the test that says a copy fits a reader.

A signed-in page differs from reader to reader in a few places only: the site header (their
name, their unread count), the CSRF token of its forms, and wherever the reader is related to
what the page shows (their vote on a summary, a summary or comment they wrote, a paper or person
they follow, their own page, their unpublished summaries of a paper). A page is rendered once for
a *neutral* reader, signed in but related to nothing, while a `Witness` records every relation
the page could have depended on: the summaries whose vote buttons it shows, the authors of what
it shows, the follow buttons it shows, the person or paper whose reader-specific parts it skips.

A reader gets the neutral copy, with their header and CSRF token put in its two placeholders,
when they have none of those relations (a handful of indexed lookups on the witness's ids);
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
from django.core.cache import caches
from django.db.models import Q

from shortscience.models import Follow, Summary, User, Vote
from shortscience.services import pagecache

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
        default_factory=lambda: {"paper": set(), "user": set(), "summary": set()}
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


def fits(witness: Witness, reader: User) -> bool:
    """Whether the neutral copy is exactly this reader's page: they have none of the relations
    it records. At most three indexed lookups, each bounded by the page's own ids."""
    if reader.pk in witness.author_ids or reader.pk in witness.person_ids:
        return False
    if (
        witness.summary_ids
        and Vote.objects.filter(user=reader, summary_id__in=witness.summary_ids).exists()
    ):
        return False
    if (
        witness.own_paper_ids
        and Summary.objects.filter(author=reader, paper_id__in=witness.own_paper_ids).exists()
    ):
        return False
    followed = witness.followed
    targets = Q()
    if followed["paper"]:
        targets |= Q(paper_id__in=followed["paper"])
    if followed["user"]:
        targets |= Q(followed_user_id__in=followed["user"])
    if followed["summary"]:
        targets |= Q(summary_id__in=followed["summary"])
    return not (targets and Follow.objects.filter(targets, follower=reader).exists())


# --- Stored copies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NeutralPage:
    body: str
    headers: tuple[tuple[str, str], ...]
    witness: Witness
    stored_at: float


def key(url: str, tags: tuple[str, ...], tag_versions: tuple[str, ...]) -> str:
    return "signed-" + pagecache.page_key(url, tags, tag_versions)


def _cache() -> Any:
    return caches[settings.PAGE_CACHE_ALIAS]


def load(page_key: str) -> NeutralPage | None:
    found = _cache().get(page_key)
    return found if isinstance(found, NeutralPage) else None


def store(page_key: str, page: NeutralPage) -> None:
    _cache().set(page_key, page, timeout=settings.PAGE_CACHE_SECONDS)
