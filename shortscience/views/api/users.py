"""People: a profile with reputation and the person's named public summaries (cursor-paged).

Anonymous, private and draft summaries never appear here and never count, so a profile
cannot reveal who wrote an anonymous summary.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router

from shortscience.services import cards, users
from shortscience.views.api import auth
from shortscience.views.api.errors import documented
from shortscience.views.api.pagination import PageParams, next_url, paginate
from shortscience.views.api.schemas import (
    CleanStr,
    Links,
    PersonRef,
    SummaryOut,
    SummaryPage,
    person_ref,
    summary_out,
)

router = Router(auth=auth.READ)
ORDER = users.ORDER  # the order of users.page, so its cursor continues here
Username = Annotated[CleanStr, Field(min_length=1, max_length=150)]


class UserOut(PersonRef):
    orcid: str = Field(description="The ORCID iD on the profile, or empty")
    orcid_verified: bool = Field(
        description="True only when an ORCID sign-in proved the iD; a typed one is false"
    )
    description_html: str
    reputation: float = Field(
        description="Mean net votes older than two days per named public summary (stored)"
    )
    summary_count: int = Field(description="Named public summaries")
    summaries: list[SummaryOut] = Field(description="The newest of them")
    next: str | None = Field(description="URL of the next page of their summaries")
    next_cursor: str | None


@router.get(
    "/users/{username}",
    response={200: UserOut, **documented(401, 404, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def user(request: HttpRequest, username: Username) -> UserOut:
    """A person's profile and their newest named public summaries."""
    found = users.page(username, auth.reader(request), whole=True)
    links = Links(request)
    cursor = found.page.next_cursor
    return UserOut(
        **person_ref(links, found.person).model_dump(),
        orcid=found.person.orcid,
        orcid_verified=found.person.orcid_verified,
        description_html=found.person.description_html,
        reputation=found.reputation,
        summary_count=found.summary_count,
        summaries=[summary_out(links, card) for card in found.cards],
        next=links.api("user_summaries", f"cursor={cursor}", username=username) if cursor else None,
        next_cursor=cursor,
    )


@router.get(
    "/users/{username}/summaries",
    response={200: SummaryPage, **documented(400, 401, 404, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def user_summaries(
    request: HttpRequest, username: Username, params: Query[PageParams]
) -> SummaryPage:
    """All of a person's named public summaries, newest first."""
    viewer = auth.reader(request)
    person = users.page(username, viewer).person
    rows = users.public_authored(person).select_related("paper", "paper__venue", "author")
    page = paginate(rows, ORDER, params.cursor, params.limit)
    links = Links(request)
    return SummaryPage(
        items=[summary_out(links, card) for card in cards.build(page.items, viewer)],
        next=next_url(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )
