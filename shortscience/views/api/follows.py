"""Following papers, people and discussions, and reading your notifications.

Everything here is about the caller, so every operation needs a token or a signed-in session;
changes need the write scope and count against the "following" rate limit like the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from shortscience.models import Follow
from shortscience.services import follows
from shortscience.views.api import auth
from shortscience.views.api.errors import documented
from shortscience.views.api.schemas import CleanStr, Id, Links

router = Router(auth=auth.WRITE)
Username = Annotated[CleanStr, Field(min_length=1, max_length=150)]
ORDER = ("-created_at", "-pk")
CHANGE_ERRORS = documented(400, 401, 403, 404, 409, 422, 429)


class FollowOut(Schema):
    kind: Literal["paper", "user", "summary"]
    id: int = Field(description="The paper's, person's or summary's id")
    name: str = Field(description="Paper title, person's name, or the summarised paper's title")
    url: str
    created_at: datetime


class FollowList(Schema):
    items: list[FollowOut] = Field(description="Newest first")


def _follow_out(links: Links, row: Follow) -> FollowOut:
    kind: Literal["paper", "user", "summary"]
    if row.paper is not None:
        kind, name, path = "paper", row.paper.title, row.paper.get_absolute_url()
    elif row.followed_user is not None:
        user = row.followed_user
        kind, name, path = "user", user.shown_name, user.get_absolute_url()
    else:
        assert row.summary is not None, "the list asks for papers, people and summaries only"
        kind, name, path = "summary", row.summary.paper.title, row.summary.get_absolute_url()
    return FollowOut(
        kind=kind,
        id=follows.target_id_of(row),
        name=name,
        url=links.site(path),
        created_at=row.created_at,
    )


def _follow(request: HttpRequest, kind: follows.Kind, target_id: int) -> FollowOut:
    user = auth.writer(request, "following")
    return _follow_out(Links(request), follows.follow(user, kind, target_id))


def _unfollow(request: HttpRequest, kind: follows.Kind, target_id: int) -> Status[None]:
    follows.unfollow(auth.writer(request, "following"), kind, target_id)
    return Status(204, None)


@router.get("/follows", response={200: FollowList, **documented(401, 403)})
def follow_list(request: HttpRequest) -> FollowList:
    """Everything the caller follows."""
    user = auth.caller(request).user
    assert user is not None, "guarded by auth.WRITE"
    # Venues, categories and searches are followed from the pages only (not yet in the API).
    rows = follows.listing(user, kinds=("paper", "user", "summary"))
    return FollowList(items=[_follow_out(Links(request), r) for r in rows])


@router.put("/follows/papers/{int:paper_id}", response={200: FollowOut, **CHANGE_ERRORS})
def follow_paper(request: HttpRequest, paper_id: Id) -> FollowOut:
    """Follow a paper: hear about each new public summary of it. Idempotent."""
    return _follow(request, "paper", paper_id)


@router.delete("/follows/papers/{int:paper_id}", response={204: None, **CHANGE_ERRORS})
def unfollow_paper(request: HttpRequest, paper_id: Id) -> Status[None]:
    """Stop following a paper (a no-op when not following)."""
    return _unfollow(request, "paper", paper_id)


@router.put("/follows/users/{username}", response={200: FollowOut, **CHANGE_ERRORS})
def follow_user(request: HttpRequest, username: Username) -> FollowOut:
    """Follow a person: hear about each summary they publish under their name. Idempotent."""
    return _follow(request, "user", follows.user_id_for(username))


@router.delete("/follows/users/{username}", response={204: None, **CHANGE_ERRORS})
def unfollow_user(request: HttpRequest, username: Username) -> Status[None]:
    """Stop following a person (a no-op when not following)."""
    return _unfollow(request, "user", follows.user_id_for(username))


@router.put("/follows/summaries/{int:summary_id}", response={200: FollowOut, **CHANGE_ERRORS})
def follow_summary(request: HttpRequest, summary_id: Id) -> FollowOut:
    """Follow the discussion under a public summary: hear about each new comment. Idempotent."""
    return _follow(request, "summary", summary_id)


@router.delete("/follows/summaries/{int:summary_id}", response={204: None, **CHANGE_ERRORS})
def unfollow_summary(request: HttpRequest, summary_id: Id) -> Status[None]:
    """Stop following a discussion (a no-op when not following)."""
    return _unfollow(request, "summary", summary_id)
