"""Following papers, people, discussions, venues, arXiv categories and searches, and reading
your notifications.

Everything here is about the caller, so every operation needs a token or a signed-in session;
changes need the write scope and count against the "following" rate limit like the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from shortscience.models import Follow
from shortscience.services import follows
from shortscience.views.api import auth
from shortscience.views.api.errors import documented
from shortscience.views.api.schemas import CleanStr, Id, Links

router = Router(auth=auth.WRITE)
Username = Annotated[CleanStr, Field(min_length=1, max_length=150)]
VenueKey = Annotated[CleanStr, Field(min_length=1, max_length=100)]
Category = Annotated[CleanStr, Field(min_length=1, max_length=40)]
Query = Annotated[CleanStr, Field(min_length=1, max_length=200)]
ORDER = ("-created_at", "-pk")
CHANGE_ERRORS = documented(400, 401, 403, 404, 409, 422, 429)


FollowKind = Literal["paper", "user", "summary", "venue", "category", "search"]


class FollowOut(Schema):
    kind: FollowKind
    id: int | None = Field(
        description="The paper's, person's, summary's or venue's id (null for a category or search)"
    )
    key: str | None = Field(
        None,
        description="The venue's key, the arXiv category or the search query (null otherwise)",
    )
    name: str = Field(
        description="Paper title, person's name, the summarised paper's title, the venue's name, "
        "the category or the query"
    )
    url: str
    created_at: datetime


class FollowList(Schema):
    items: list[FollowOut] = Field(description="Newest first")


def _follow_out(links: Links, row: Follow) -> FollowOut:
    kind = follows.kind_of(row)
    key: str | None = None
    if row.paper is not None:
        name, path = row.paper.title, row.paper.get_absolute_url()
    elif row.followed_user is not None:
        user = row.followed_user
        name, path = user.shown_name, user.get_absolute_url()
    elif row.summary is not None:
        name, path = row.summary.paper.title, row.summary.get_absolute_url()
    elif row.venue is not None:
        key, name, path = (
            row.venue.key,
            row.venue.name or row.venue.key,
            row.venue.get_absolute_url(),
        )
    elif kind == "category":
        key = name = row.category
        path = reverse("new-papers", args=[row.category])
    else:
        key = name = row.query
        path = f"{reverse('search')}?{urlencode({'q': row.query})}"
    return FollowOut(
        kind=kind,
        id=follows.target_id_of(row) if key is None or kind == "venue" else None,
        key=key,
        name=name,
        url=links.site(path),
        created_at=row.created_at,
    )


def _follow(request: HttpRequest, kind: follows.Kind, target_id: follows.Target) -> FollowOut:
    user = auth.writer(request, "following")
    return _follow_out(Links(request), follows.follow(user, kind, target_id))


def _unfollow(request: HttpRequest, kind: follows.Kind, target_id: follows.Target) -> Status[None]:
    follows.unfollow(auth.writer(request, "following"), kind, target_id)
    return Status(204, None)


@router.get("/follows", response={200: FollowList, **documented(401, 403)})
def follow_list(request: HttpRequest) -> FollowList:
    """Everything the caller follows."""
    user = auth.caller(request).user
    assert user is not None, "guarded by auth.WRITE"
    rows = follows.listing(user)
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


@router.put("/follows/venues/{venue_key}", response={200: FollowOut, **CHANGE_ERRORS})
def follow_venue(request: HttpRequest, venue_key: VenueKey) -> FollowOut:
    """Follow a venue by its key: hear about each new public summary of its papers. Idempotent."""
    return _follow(request, "venue", follows.venue_id_for(venue_key))


@router.delete("/follows/venues/{venue_key}", response={204: None, **CHANGE_ERRORS})
def unfollow_venue(request: HttpRequest, venue_key: VenueKey) -> Status[None]:
    """Stop following a venue (a no-op when not following)."""
    return _unfollow(request, "venue", follows.venue_id_for(venue_key))


@router.put("/follows/categories/{category}", response={200: FollowOut, **CHANGE_ERRORS})
def follow_category(request: HttpRequest, category: Category) -> FollowOut:
    """Follow an arXiv category (e.g. cs.LG): hear about each new public summary of a paper in
    it. Idempotent."""
    return _follow(request, "category", follows.target_id_for("category", category))


@router.delete("/follows/categories/{category}", response={204: None, **CHANGE_ERRORS})
def unfollow_category(request: HttpRequest, category: Category) -> Status[None]:
    """Stop following an arXiv category (a no-op when not following)."""
    return _unfollow(request, "category", follows.target_id_for("category", category))


@router.put("/follows/searches", response={200: FollowOut, **CHANGE_ERRORS})
def follow_search(request: HttpRequest, q: Query) -> FollowOut:
    """Follow a search: hear about each new public summary of a paper whose title, authors,
    abstract or categories hold every word of `q` (docs/notifications.md). Idempotent."""
    return _follow(request, "search", follows.target_id_for("search", q))


@router.delete("/follows/searches", response={204: None, **CHANGE_ERRORS})
def unfollow_search(request: HttpRequest, q: Query) -> Status[None]:
    """Stop following a search (a no-op when not following)."""
    return _unfollow(request, "search", follows.target_id_for("search", q))
