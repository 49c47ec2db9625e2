"""Summaries: one by id, the ranked lists and the activity feed (cursor-paged), and writing,
editing and deleting your own."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Status

from shortscience.services import cards, papers, rankings, summaries
from shortscience.views.api import auth
from shortscience.views.api.errors import documented
from shortscience.views.api.pagination import PageParams, next_url, paginate
from shortscience.views.api.schemas import (
    WHOLE,
    BodyIn,
    Id,
    Links,
    SummaryOut,
    SummaryPage,
    SummaryWriteOut,
    summary_brief,
    summary_out,
    summary_write_out,
)

router = Router(auth=auth.READ)


TextParam = Literal["excerpt", "full"]


def _page(
    request: HttpRequest, ranking: rankings.Ranking, params: PageParams, text: TextParam
) -> SummaryPage:
    ordering = rankings.ORDERS[ranking.order]
    rows = rankings.ranked(ranking)
    if text == "excerpt":
        rows = rows.defer("markdown", "html")
    page = paginate(rows, ordering, params.cursor, params.limit)
    links = Links(request)
    found = cards.build(page.items, auth.reader(request))
    return SummaryPage(
        items=[summary_brief(links, c, full=text == "full") for c in found],
        next=next_url(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )


@router.get(
    "/summaries",
    response={200: SummaryPage, **documented(400, 401, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def summary_list(
    request: HttpRequest,
    params: Query[PageParams],
    order: Literal["recent", "hot", "best", "popular", "viewed"] = "recent",
    period: Literal["all", "week", "month", "year"] = "all",
    field: Literal["cs", "stat", "physics", "math", "q-bio", "q-fin", "eess", "econ"] | None = None,
    text: TextParam = "excerpt",
) -> SummaryPage:
    """Public summaries: newest first (`recent`), by hotness (`hot`), by score (`best`), by
    latest activity (`popular`) or by views in the 30 days before today (`viewed`, the home
    page's Popular tab), published within `period`, of papers in `field`. Items carry the
    excerpt; `text=full` adds each one's Markdown and HTML."""
    return _page(request, rankings.Ranking(order, period, field or ""), params, text)


@router.get(
    "/activity",
    response={200: SummaryPage, **documented(400, 401, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def activity(
    request: HttpRequest, params: Query[PageParams], text: TextParam = "excerpt"
) -> SummaryPage:
    """The feed of newly published public summaries, newest first (`text` as for /summaries)."""
    return _page(request, rankings.Ranking("recent"), params, text)


@router.get(
    "/summaries/{int:summary_id}",
    response={200: SummaryOut, **documented(401, 404, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def summary(request: HttpRequest, summary_id: Id) -> SummaryOut:
    """A public summary, or one of the caller's own (draft, private or hidden)."""
    viewer = auth.reader(request)
    found = summaries.get_visible(summary_id, viewer)
    return summary_out(Links(request), cards.build([found], viewer)[0])


class SummaryIn(BodyIn):
    markdown: str = Field(description="Markdown with $math$")
    publish: bool = Field(
        True,
        description="false keeps (or makes) it a draft; on a published summary, takes it "
        "offline (v1 behaviour; see `draft`)",
    )
    draft: bool = Field(
        False,
        description="true stores the text as a draft without publishing it: on a published "
        "summary, beside the published version, which stays live; `publish` is then ignored",
    )
    private: bool = Field(False, description="Only you and your share link see it")
    anonymous: bool = Field(False, description="Never show your name with it")
    base_version: Annotated[int, Field(ge=0), WHOLE] | None = Field(
        None,
        description="The `version` you last read (0: you had none); if the summary changed "
        "since, nothing is saved and the answer is 409",
    )
    unpublish: bool = Field(False, description="Take a published summary offline (a draft)")


@router.put(
    "/papers/{int:paper_id}/summary",
    auth=auth.WRITE,
    response={200: SummaryWriteOut, **documented(400, 401, 403, 404, 409, 422, 429)},
)
def write(request: HttpRequest, paper_id: Id, payload: SummaryIn) -> SummaryWriteOut:
    """Create or replace the caller's summary of a paper (each change is a new revision).
    A stale `base_version` is 409 Conflict; `formula_problems` lists the formulas that failed."""
    user = auth.writer(request, "publishing")
    saved = summaries.write(
        user,
        papers.get(paper_id),
        summaries.SaveRequest(
            markdown=payload.markdown,
            publish=payload.publish and not payload.draft,
            private=payload.private,
            anonymous=payload.anonymous,
            base_version=payload.base_version,
            # v1: `publish: false` on a published summary takes it offline; a draft beside
            # it is asked for with `draft: true`.
            unpublish=payload.unpublish or not (payload.publish or payload.draft),
        ),
    )
    card = cards.build([saved.summary], user)[0]
    return summary_write_out(Links(request), card, saved.formula_problems)


@router.delete(
    "/summaries/{int:summary_id}",
    auth=auth.WRITE,
    response={204: None, **documented(401, 403, 404, 422)},
)
def delete(request: HttpRequest, summary_id: Id) -> Status[None]:
    """Delete the caller's summary with its revisions, votes and comments."""
    summaries.delete(summary_id, auth.writer(request))
    return Status(204, None)
