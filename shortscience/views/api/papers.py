"""Papers: by id or by any of their identifiers, with their summaries; title search; and the
bulk counts that reference managers and arxiv-sanity ask for."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shortscience.services import papers
from shortscience.services.errors import NotFound
from shortscience.views.api import auth
from shortscience.views.api.errors import documented
from shortscience.views.api.schemas import (
    CleanStr,
    Id,
    IdentifierOut,
    Links,
    PaperListItem,
    PaperOut,
    SummaryOut,
    identifier_out,
    paper_item,
    paper_out,
    summary_out,
)

router = Router(auth=auth.READ)
MAX_COUNT_KEYS = 500


class PaperDetail(PaperOut):
    identifiers: list[IdentifierOut]
    summary_count: int = Field(description="Public summaries")
    summaries: list[SummaryOut] = Field(
        description="Public summaries by score, and the caller's own of any kind"
    )


def _detail(request: HttpRequest, paper_id: int) -> PaperDetail:
    found = papers.page(paper_id, auth.reader(request))
    links = Links(request)
    return PaperDetail(
        **paper_out(links, found.paper).model_dump(),
        identifiers=[identifier_out(i) for i in found.identifiers],
        summary_count=sum(1 for card in found.cards if card.summary.is_public),
        summaries=[summary_out(links, card, found.paper) for card in found.cards],
    )


@router.get(
    "/papers/{int:paper_id}",
    response={200: PaperDetail, **documented(401, 404, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def paper(request: HttpRequest, paper_id: Id) -> PaperDetail:
    """A paper with its identifiers and summaries."""
    return _detail(request, paper_id)


@router.get(
    "/papers/{int:paper_id}/summaries",
    response={200: list[SummaryOut], **documented(401, 404, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def paper_summaries(request: HttpRequest, paper_id: Id) -> list[SummaryOut]:
    """The paper's summaries: public ones by score, plus the caller's own of any kind."""
    found = papers.page(paper_id, auth.reader(request))
    links = Links(request)
    return [summary_out(links, card, found.paper) for card in found.cards]


@router.get(
    "/papers/lookup",
    response={200: PaperDetail, **documented(401, 404, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def lookup(
    request: HttpRequest, id: Query[Annotated[CleanStr, Field(min_length=1, max_length=1000)]]
) -> PaperDetail:
    """A paper by any of its names: arXiv id or URL, DOI, DBLP key, OpenReview id, old key."""
    found = papers.find_by_key(id)
    if found is None:
        raise NotFound(f"No paper here is known as {id!r} yet.")
    return _detail(request, found.pk)


class CountsIn(Schema):
    ids: list[Annotated[CleanStr, Field(max_length=1000)]] = Field(
        max_length=MAX_COUNT_KEYS, description=f"Up to {MAX_COUNT_KEYS} identifiers, any form"
    )


class CountOut(Schema):
    id: str = Field(description="The identifier as asked")
    url: str | None = Field(description="The paper's canonical page, or null if unknown")
    summaries: int = Field(description="Public summaries")


class CountsOut(Schema):
    papers: list[CountOut]


@router.post(
    "/papers/counts",
    # A read that needs no session (and so no CSRF token): counts are the same for everyone.
    auth=auth.TOKEN_OR_ANYBODY,
    response={200: CountsOut, **documented(400, 401, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def counts(request: HttpRequest, payload: CountsIn) -> CountsOut:
    """For each identifier, the paper's page and its number of public summaries (a read, so it
    needs no token; it is a POST only because the list may be long)."""
    links = Links(request)
    keys = [key.strip() for key in payload.ids]
    return CountsOut(
        papers=[
            CountOut(
                id=item.key,
                url=links.site(item.url) if item.url else None,
                summaries=item.summaries,
            )
            for item in papers.counts(keys)
        ]
    )


class SearchParams(Schema):
    q: CleanStr = Field("", max_length=1000, description="Words of the title")


class SearchOut(Schema):
    query: str
    items: list[PaperListItem]


@router.get(
    "/search",
    response={200: SearchOut, **documented(401, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def search(request: HttpRequest, params: Query[SearchParams]) -> SearchOut:
    """Papers whose title contains every word of `q` (at most 50, most summarised first)."""
    links = Links(request)
    found = papers.title_search(params.q.strip())
    return SearchOut(
        query=params.q,
        items=[paper_item(links, paper, paper.summary_count) for paper in found],  # type: ignore[attr-defined]
    )
