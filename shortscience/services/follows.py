"""Following: a person follows a paper, another person, one summary's discussion, a venue, an
arXiv category or a search, and hears about what happens there (services/notifications.py turns
events into notifications).

Rules: following is idempotent (a second follow changes nothing), nobody follows themself or
their own summary's discussion (they hear about its comments anyway), and only public things
can be followed: an active person, an existing paper or venue, a category some paper here has,
a public summary, a search with at least one word. Unfollowing always works, even when the
thing has since become private, hidden or suspended.

A followed search is stored as typed (spaces squeezed, at most QUERY_MAX_LENGTH characters)
with its words (services/text.words, at most QUERY_MAX_WORDS) and its longest word as the key
the fan-out looks it up by (docs/notifications.md, "Followed searches").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from shortscience.models import Follow, Paper, Summary, User, Venue
from shortscience.models.summaries import public_q
from shortscience.services import categories, standing, text
from shortscience.services.errors import Conflict, InvalidInput, NotFound

Kind = Literal["paper", "user", "summary", "venue", "category", "search"]
KINDS: tuple[Kind, ...] = ("paper", "user", "summary", "venue", "category", "search")
#: The kinds whose target is a number (the rest are text: a category, a query).
ID_KINDS: tuple[Kind, ...] = ("paper", "user", "summary", "venue")
# The Follow column that holds each kind's target.
_COLUMN: dict[str, str] = {
    "paper": "paper_id",
    "user": "followed_user_id",
    "summary": "summary_id",
    "venue": "venue_id",
    "category": "category",
    "search": "query",
}
QUERY_MAX_LENGTH = 200
QUERY_MAX_WORDS = 8
Target = int | str


def parse_kind(raw: str) -> Kind:
    for kind in KINDS:
        if raw == kind:
            return kind
    raise InvalidInput(
        "You can follow a 'paper', a 'user', a 'summary', a 'venue', a 'category' or a 'search'.",
        field_errors={"kind": [raw]},
    )


def _target_q(kind: Kind, target_id: Target) -> Q:
    if kind == "search":
        target_id = normalised_query(str(target_id))
    return Q(**{_COLUMN[kind]: target_id})


def normalised_query(raw: str) -> str:
    """A search as it is stored and compared: spaces squeezed, cut at QUERY_MAX_LENGTH."""
    return " ".join(raw.split())[:QUERY_MAX_LENGTH]


def _ensure_followable(user: User, kind: Kind, target_id: Target) -> None:
    if kind == "venue":
        if not Venue.objects.filter(pk=target_id).exists():
            raise NotFound("There is no such venue.")
    elif kind == "category":
        if not isinstance(target_id, str) or not categories.exists(target_id):
            raise NotFound("No paper here has this arXiv category.")
    elif kind == "search":
        if not isinstance(target_id, str) or not query_words(target_id):
            raise InvalidInput(
                "A search to follow needs at least one word.", field_errors={"q": ["Required."]}
            )
    elif kind == "paper":
        if not Paper.objects.filter(pk=target_id).exists():
            raise NotFound("There is no such paper.")
    elif kind == "user":
        if target_id == user.pk:
            raise InvalidInput("You cannot follow yourself.")
        if not User.objects.filter(pk=target_id, is_active=True).exists():
            raise NotFound("There is no such user.")
    else:
        author_id = (
            Summary.objects.filter(public_q(), pk=target_id)
            .values_list("author_id", flat=True)
            .first()
        )
        if author_id is None:
            raise NotFound("There is no such public summary.")
        if author_id == user.pk:
            raise InvalidInput(
                "This is your own summary: you already hear about every comment on it."
            )


def user_id_for(username: str, *, active_only: bool = True) -> int:
    """The id of a person, for callers (the API, the pages) that name people by username, so
    that pages never carry a person's id. Unfollowing also finds banned people."""
    people = User.objects.filter(username=username)
    if active_only:
        people = people.filter(is_active=True)
    found = people.values_list("pk", flat=True).first()
    if found is None:
        raise NotFound("There is no such user.")
    return found


def venue_id_for(key: str) -> int:
    """The id of a venue named by its key ("NeurIPS"), as the API names venues."""
    found = Venue.objects.filter(key=key).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound("There is no such venue.")
    return found


def target_id_for(kind: Kind, key: str, *, active_only: bool = True) -> Target:
    """A target named as in a URL: a username for people, a number for papers, summaries and
    venues, the category itself, the query itself."""
    if kind == "user":
        return user_id_for(key, active_only=active_only)
    if kind == "category":
        if not categories.is_category(key):
            raise NotFound("There is no such arXiv category.")
        return key
    if kind == "search":
        return normalised_query(key)
    if not key.isascii() or not key.isdigit() or len(key) > 18:
        raise NotFound(f"There is no such {kind}.")
    return int(key)


def query_words(query: str) -> list[str]:
    """The words a followed search is matched by: the search syntax's exclusions (`-word`) are
    dropped and field prefixes (`title:`, `venue:`) leave their value."""
    plain = [part.split(":", 1)[-1] for part in query.split() if not part.startswith("-")]
    return text.words(" ".join(plain))[:QUERY_MAX_WORDS]


def _new_follow(user: User, kind: Kind, target_id: Target) -> Follow:
    if kind != "search":
        return Follow(follower=user, **{_COLUMN[kind]: target_id})
    query = normalised_query(str(target_id))
    found = query_words(query)
    key = max(found, key=len)[:60]
    return Follow(follower=user, query=query, query_words=found, query_key=key)


def follow(user: User, kind: Kind, target_id: Target) -> Follow:
    """Follow a thing; following it again returns the existing follow."""
    standing.ensure_can_write(user)
    _ensure_followable(user, kind, target_id)
    existing = Follow.objects.filter(_target_q(kind, target_id), follower=user).first()
    if existing is not None:
        return existing
    if Follow.objects.filter(follower=user).count() >= settings.FOLLOWS_MAX_PER_USER:
        raise Conflict(
            f"You follow {settings.FOLLOWS_MAX_PER_USER:,} things already; unfollow some first."
        )
    try:
        with transaction.atomic():
            row = _new_follow(user, kind, target_id)
            row.save(force_insert=True)
            return row
    except IntegrityError:
        # A double click raced us; the unique constraint kept the first row.
        return Follow.objects.get(_target_q(kind, target_id), follower=user)


def unfollow(user: User, kind: Kind, target_id: Target) -> None:
    """Stop following; a no-op when not following."""
    Follow.objects.filter(_target_q(kind, target_id), follower=user).delete()


def is_following(user: User | None, kind: Kind, target_id: Target) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Follow.objects.filter(_target_q(kind, target_id), follower=user).exists()


@dataclass(frozen=True)
class FollowingSets:
    """What one person follows, as id sets a template can test with `in`."""

    paper_ids: frozenset[int] = field(default_factory=frozenset)
    user_ids: frozenset[int] = field(default_factory=frozenset)
    summary_ids: frozenset[int] = field(default_factory=frozenset)
    venue_ids: frozenset[int] = field(default_factory=frozenset)
    categories: frozenset[str] = field(default_factory=frozenset)
    queries: frozenset[str] = field(default_factory=frozenset)


def following_sets(user: User | None) -> FollowingSets:
    """Everything `user` follows in one query (bounded by FOLLOWS_MAX_PER_USER rows), so a page
    shows any number of follow buttons for the same cost."""
    if user is None or not user.is_authenticated:
        return FollowingSets()
    found: dict[str, set[int | str]] = {kind: set() for kind in KINDS}
    rows = Follow.objects.filter(follower=user).only(
        "paper", "followed_user", "summary", "venue", "category", "query"
    )
    for row in rows:
        found[kind_of(row)].add(target_of(row))
    ids = {kind: frozenset(int(t) for t in found[kind]) for kind in ID_KINDS}
    return FollowingSets(
        ids["paper"],
        ids["user"],
        ids["summary"],
        ids["venue"],
        frozenset(str(t) for t in found["category"]),
        frozenset(str(t) for t in found["search"]),
    )


def listing(user: User, kinds: tuple[Kind, ...] = KINDS) -> list[Follow]:
    """What `user` follows (of these kinds), newest first, with each target loaded (one
    query)."""
    rows = Follow.objects.filter(follower=user)
    for kind in set(KINDS) - set(kinds):
        rows = rows.filter(**{_COLUMN[kind]: "" if kind in ("category", "search") else None})
    return list(
        rows.select_related("paper", "followed_user", "summary", "summary__paper", "venue")
        .defer("paper__abstract")
        .order_by("-created_at", "-pk")
    )


def kind_of(follow: Follow) -> Kind:
    if follow.paper_id is not None:
        return "paper"
    if follow.followed_user_id is not None:
        return "user"
    if follow.summary_id is not None:
        return "summary"
    if follow.venue_id is not None:
        return "venue"
    return "category" if follow.category else "search"


def target_of(follow: Follow) -> Target:
    """The target as `follow` and `unfollow` take it: an id, a category or a query."""
    found: Target | None = getattr(follow, _COLUMN[kind_of(follow)])
    assert found is not None, "the follow_has_exactly_one_target constraint"
    return found


def target_id_of(follow: Follow) -> int:
    """The id of a follow of a paper, a person, a summary or a venue."""
    found = target_of(follow)
    assert isinstance(found, int), "a follow of a category or a search has no id"
    return found
