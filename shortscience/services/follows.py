"""Following: a person follows a paper, another person or one summary's discussion, and hears
about what happens there (services/notifications.py turns events into notifications).

Rules: following is idempotent (a second follow changes nothing), nobody follows themself or
their own summary's discussion (they hear about its comments anyway), and only public things
can be followed: an active person, an existing paper, a public summary. Unfollowing always
works, even when the thing has since become private, hidden or suspended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from shortscience.models import Follow, Paper, Summary, User
from shortscience.models.summaries import public_q
from shortscience.services import standing
from shortscience.services.errors import Conflict, InvalidInput, NotFound

Kind = Literal["paper", "user", "summary"]
KINDS: tuple[Kind, ...] = ("paper", "user", "summary")
# The Follow column that holds each kind's target.
_COLUMN: dict[str, str] = {"paper": "paper_id", "user": "followed_user_id", "summary": "summary_id"}


def parse_kind(raw: str) -> Kind:
    for kind in KINDS:
        if raw == kind:
            return kind
    raise InvalidInput(
        "You can follow a 'paper', a 'user' or a 'summary'.", field_errors={"kind": [raw]}
    )


def _target_q(kind: Kind, target_id: int) -> Q:
    return Q(**{_COLUMN[kind]: target_id})


def _ensure_followable(user: User, kind: Kind, target_id: int) -> None:
    if kind == "paper":
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


def target_id_for(kind: Kind, key: str, *, active_only: bool = True) -> int:
    """A target named as in a URL: a username for people, a number for papers and summaries."""
    if kind == "user":
        return user_id_for(key, active_only=active_only)
    if not key.isascii() or not key.isdigit() or len(key) > 18:
        raise NotFound(f"There is no such {kind}.")
    return int(key)


def follow(user: User, kind: Kind, target_id: int) -> Follow:
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
            return Follow.objects.create(follower=user, **{_COLUMN[kind]: target_id})
    except IntegrityError:
        # A double click raced us; the unique constraint kept the first row.
        return Follow.objects.get(_target_q(kind, target_id), follower=user)


def unfollow(user: User, kind: Kind, target_id: int) -> None:
    """Stop following; a no-op when not following."""
    Follow.objects.filter(_target_q(kind, target_id), follower=user).delete()


def is_following(user: User | None, kind: Kind, target_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Follow.objects.filter(_target_q(kind, target_id), follower=user).exists()


@dataclass(frozen=True)
class FollowingSets:
    """What one person follows, as id sets a template can test with `in`."""

    paper_ids: frozenset[int] = field(default_factory=frozenset)
    user_ids: frozenset[int] = field(default_factory=frozenset)
    summary_ids: frozenset[int] = field(default_factory=frozenset)


def following_sets(user: User | None) -> FollowingSets:
    """Everything `user` follows in one query (bounded by FOLLOWS_MAX_PER_USER rows), so a page
    shows any number of follow buttons for the same cost."""
    if user is None or not user.is_authenticated:
        return FollowingSets()
    papers: set[int] = set()
    people: set[int] = set()
    discussions: set[int] = set()
    rows = Follow.objects.filter(follower=user).values_list(
        "paper_id", "followed_user_id", "summary_id"
    )
    for paper_id, user_id, summary_id in rows:
        if paper_id is not None:
            papers.add(paper_id)
        elif user_id is not None:
            people.add(user_id)
        elif summary_id is not None:
            discussions.add(summary_id)
    return FollowingSets(frozenset(papers), frozenset(people), frozenset(discussions))


def listing(user: User) -> list[Follow]:
    """What `user` follows, newest first, with each target loaded (one query)."""
    return list(
        Follow.objects.filter(follower=user)
        .select_related("paper", "followed_user", "summary", "summary__paper")
        .order_by("-created_at", "-pk")
    )


def kind_of(follow: Follow) -> Kind:
    if follow.paper_id is not None:
        return "paper"
    if follow.followed_user_id is not None:
        return "user"
    return "summary"


def target_id_of(follow: Follow) -> int:
    found = follow.paper_id or follow.followed_user_id or follow.summary_id
    assert found is not None, "the follow_has_exactly_one_target constraint"
    return found
