"""Papers: by id or by any of their identifiers, with their summaries; adding one; search; and
the bulk counts that reference managers and arxiv-sanity ask for."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.http import urlencode
from ninja import Field, Query, Router, Schema, Status

from shortscience import search as engine
from shortscience.services import lookup as adding
from shortscience.services import papers
from shortscience.services.errors import NotFound
from shortscience.views.api import auth
from shortscience.views.api.errors import documented
from shortscience.views.api.schemas import (
    WHOLE,
    BodyIn,
    CleanStr,
    Id,
    IdentifierOut,
    Links,
    PaperListItem,
    PaperOut,
    PaperRef,
    PersonRef,
    SummaryOut,
    identifier_out,
    paper_item,
    paper_out,
    person_ref,
    summary_out,
)

router = Router(auth=auth.READ)
MAX_COUNT_KEYS = 500


class PaperDetail(PaperOut):
    identifiers: list[IdentifierOut]
    verified_authors: list[PersonRef] = Field(
        description="People whose ORCID iD proved they wrote it (docs/accounts.md)"
    )
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
        verified_authors=[person_ref(links, person) for person in found.authors.verified],
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


class PaperIn(BodyIn):
    """Exactly one of `identifier`, `bibtex`, or the paper's fields (`title` and the rest)."""

    identifier: CleanStr = Field(
        "",
        max_length=1000,
        description="An arXiv id, DOI, DBLP key or OpenReview id, or a URL naming one: "
        "the paper is fetched from its source",
    )
    bibtex: CleanStr = Field(
        "", max_length=100_000, description="A BibTeX entry (the first one is the paper)"
    )
    title: CleanStr | None = Field(None, max_length=1000, description="Typed in: the title")
    authors: list[Annotated[CleanStr, Field(max_length=300)]] = Field(
        default_factory=list, max_length=200, description="Typed in: one name each"
    )
    year: Annotated[int, Field(ge=1000, le=9999), WHOLE] | None = None
    venue: CleanStr = Field("", max_length=100, description='A short venue key, e.g. "ICCV"')
    url: CleanStr = Field("", max_length=1000, description="Where the paper is published")
    abstract: CleanStr = Field("", max_length=20_000)


@router.post(
    "/papers",
    auth=auth.WRITE,
    response={
        201: PaperDetail,
        200: PaperDetail,
        **documented(400, 401, 403, 422, 429),
    },
)
def paper_add(request: HttpRequest, payload: PaperIn) -> Status[PaperDetail]:
    """Add a paper by identifier (fetched from arXiv, Crossref, DBLP or OpenReview), by
    BibTeX, or by its fields: 201 with the new paper, 200 with the one already here."""
    user = auth.writer(request, "paper_lookup")
    typed = None
    if payload.title is not None:
        typed = adding.typed(
            payload.title,
            payload.authors,
            payload.year,
            venue=payload.venue,
            url=payload.url,
            abstract=payload.abstract,
        )
    added = adding.add(user, identifier=payload.identifier, bibtex=payload.bibtex, typed=typed)
    return Status(201 if added.created else 200, _detail(request, added.paper.pk))


class CountsIn(BodyIn):
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
    q: CleanStr = Field(
        "", max_length=1000, description="A query in the search box's syntax (docs/search.md)"
    )
    sort: Literal["relevance", "score", "date"] = "relevance"
    page: int = Field(1, ge=1, le=engine.MAX_PAGE)


class SearchHitOut(Schema):
    kind: Literal["paper", "summary", "comment"]
    paper: PaperRef
    summary_id: int | None = Field(description="The summary found, or the one commented on")
    summary_url: str | None
    comment_id: int | None
    snippet_html: str = Field(
        description="Escaped text around the match: matches in <mark>, formulas' TeX in "
        '<code class="tex">, citations as <cite> (the cited title when known)'
    )
    score: int = Field(description="A summary's votes; a paper's number of public summaries")
    date: datetime | None


class SearchOut(Schema):
    query: str
    parsed: str = Field(description="The query as understood")
    redirect: str | None = Field(description="The paper's page when q names a known paper")
    total: int = Field(description="Hits, counted up to 10,000 (see total_capped)")
    total_capped: bool = Field(
        description="More than `total` matched: counting stopped there, and the hits are the "
        "newest `total` matches in the asked order"
    )
    page: int
    next: str | None = Field(description="URL of the next page; null on the last one")
    items: list[PaperListItem] = Field(description="The papers of this page's hits, in order")
    hits: list[SearchHitOut]


@router.get(
    "/search",
    response={200: SearchOut, **documented(401, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def search(request: HttpRequest, params: Query[SearchParams]) -> SearchOut:
    """Full-text search of papers, summaries and comments (50 hits a page); the caller's own
    private and draft summaries are found too."""
    links = Links(request)
    found = engine.search(
        params.q, viewer=auth.reader(request), sort=params.sort, page=params.page, per_page=50
    )
    papers_in_order = list({hit.paper.pk: hit.paper for hit in found.hits}.values())
    following = urlencode({"q": params.q, "sort": found.sort, "page": str(found.page + 1)})
    return SearchOut(
        query=params.q,
        parsed=str(found.query),
        redirect=links.site(found.redirect_url) if found.redirect_url else None,
        total=found.total,
        total_capped=found.total_capped,
        page=found.page,
        next=links.api("search", following) if found.has_next else None,
        items=[paper_item(links, p, p.summary_count) for p in papers_in_order],
        hits=[_hit_out(links, hit) for hit in found.hits],
    )


def _hit_out(links: Links, hit: engine.Hit) -> SearchHitOut:
    summary = hit.summary
    return SearchHitOut(
        kind=hit.kind,  # type: ignore[arg-type]  # a str holding one of the Literal's values
        paper=PaperRef(
            id=hit.paper.pk,
            title=hit.paper.title,
            year=hit.paper.year,
            url=links.site(hit.paper.get_absolute_url()),
            api_url=links.api("paper", paper_id=hit.paper.pk),
        ),
        summary_id=summary.pk if summary else None,
        summary_url=links.site(summary.get_absolute_url()) if summary else None,
        comment_id=hit.comment.pk if hit.comment else None,
        snippet_html=str(hit.snippet_html),
        score=hit.score,
        date=hit.date,
    )
