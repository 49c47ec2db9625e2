"""Venues: the list with paper and summary counts, and one venue's papers by year."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shortscience.services import venues
from shortscience.views.api import auth
from shortscience.views.api.errors import documented
from shortscience.views.api.pagination import next_url
from shortscience.views.api.schemas import (
    CleanStr,
    Links,
    PaperListItem,
    VenueRef,
    paper_item,
    venue_ref,
)

router = Router(auth=auth.READ)


class VenueItem(VenueRef):
    paper_count: int
    summary_count: int = Field(description="Public summaries of its papers")


class VenueParams(Schema):
    year: int | None = Field(None, ge=1, le=9999, description="Only this year's papers")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")


class VenueDetail(VenueRef):
    description_html: str
    years: list[int] = Field(description="Years with papers, newest first")
    year: int | None = Field(description="The year asked for, if any")
    papers: list[PaperListItem] = Field(description="A page of them (100), by year then title")
    next: str | None = Field(description="URL of the next page of papers")
    next_cursor: str | None


@router.get(
    "/venues",
    response={200: list[VenueItem], **documented(401)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def venue_list(request: HttpRequest) -> list[VenueItem]:
    """Every venue, by key."""
    links = Links(request)
    return [
        VenueItem(
            **venue_ref(links, venue).model_dump(),
            paper_count=venue.paper_count,
            summary_count=venue.summary_count,
        )
        for venue in venues.venues()
    ]


@router.get(
    "/venues/{path:key}",  # a venue key may hold "/"
    response={200: VenueDetail, **documented(400, 401, 404, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def venue(
    request: HttpRequest,
    key: Annotated[CleanStr, Field(min_length=1, max_length=100)],
    params: Query[VenueParams],
) -> VenueDetail:
    """A venue with its papers (of one `year`, or all), newest year first."""
    found = venues.venue_page(key, params.year, after=params.cursor, strict=True)
    links = Links(request)
    return VenueDetail(
        **venue_ref(links, found.venue).model_dump(),
        description_html=found.venue.description_html,
        years=found.years,
        year=found.year,
        papers=[paper_item(links, paper, paper.summary_count) for paper in found.papers],
        next=next_url(request, found.page.next_cursor),
        next_cursor=found.page.next_cursor,
    )
