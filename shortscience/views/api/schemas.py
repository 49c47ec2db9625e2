"""What the API shows of papers, people, summaries and comments, and the functions that build
it from the models.

`summary_out` is the only place a summary's author is turned into JSON, as
`summaries/_byline.html` is for the pages: an anonymous summary has `author: null` and nothing
else that names, links or counts its author.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Schema
from pydantic import AfterValidator, Field

from shortscience.models import Comment, Paper, PaperIdentifier, Summary, User, Venue
from shortscience.services.accounts import is_placeholder
from shortscience.services.cards import SummaryCard
from shortscience.services.links import absolute_url
from shortscience.services.text import clean_text

# The URL namespace of the API's routes (app.py's urls_namespace): `Links.api` names them in it.
NAMESPACE = "api-v1"
# Text from a query string, a path or a JSON body, without the NUL bytes and lone surrogates
# that neither database can store or compare.
CleanStr = Annotated[str, AfterValidator(clean_text)]
# A row id in a path: larger numbers are a 422, never a database overflow.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Links:
    """Absolute URLs of this site on the request's host (joined by services/links.py)."""

    def __init__(self, request: HttpRequest) -> None:
        self.base = request.build_absolute_uri("/")

    def site(self, path: str) -> str:
        return absolute_url(path, base=self.base)

    def api(self, name: str, query: str = "", **kwargs: str | int) -> str:
        """The API route `name` (its url_name in the api-v1 namespace), then `?query` if any."""
        path = reverse(f"{NAMESPACE}:{name}", kwargs=kwargs)
        return self.site(f"{path}?{query}" if query else path)


class PersonRef(Schema):
    username: str
    name: str
    url: str
    api_url: str


class VenueRef(Schema):
    key: str
    name: str
    url: str
    api_url: str


class PaperRef(Schema):
    id: int
    title: str
    year: int | None
    url: str
    api_url: str


class IdentifierOut(Schema):
    scheme: str
    value: str
    link: str


class PaperOut(PaperRef):
    authors: list[str]
    venue: VenueRef | None
    abstract: str
    source_url: str = Field(description="The paper itself, where it was published")


class PaperListItem(PaperRef):
    authors: list[str]
    venue: VenueRef | None
    summary_count: int = Field(description="Public summaries")


class SummaryBrief(Schema):
    """A summary as lists carry it: the excerpt made when it was saved; the whole text only when
    the list is asked for it (`text=full`), and always at `api_url`."""

    id: int
    url: str
    api_url: str
    paper: PaperRef
    author: PersonRef | None = Field(description="null when the summary is anonymous")
    anonymous: bool
    status: Literal["draft", "published"]
    visibility: Literal["public", "private"]
    hidden: bool = Field(description="Hidden by a moderator (only its author sees it)")
    score: int
    comment_count: int
    published_at: datetime | None
    edited_at: datetime | None
    excerpt_html: str = Field(description="The opening, as sanitised HTML, cut between blocks")
    my_vote: int = Field(description="The caller's vote: 1, -1 or 0")
    mine: bool = Field(description="The caller wrote it")
    markdown: str | None = Field(default=None, description="null in lists unless text=full")
    html: str | None = Field(default=None, description="null in lists unless text=full")


class SummaryOut(SummaryBrief):
    markdown: str
    html: str


class CommentOut(Schema):
    id: int
    author: PersonRef | None = Field(
        description="null once the comment is deleted or its author's account is"
    )
    deleted: bool
    created_at: datetime
    edited_at: datetime | None
    html: str
    replies: list[CommentOut]


class PageOut(Schema):
    next: str | None = Field(description="URL of the next page; null on the last one")
    next_cursor: str | None


class SummaryPage(PageOut):
    items: list[SummaryBrief]


def person_ref(links: Links, person: User) -> PersonRef:
    return PersonRef(
        username=person.username,
        name=person.shown_name,
        url=links.site(person.get_absolute_url()),
        api_url=links.api("user", username=person.username),
    )


def venue_ref(links: Links, venue: Venue) -> VenueRef:
    return VenueRef(
        key=venue.key,
        name=venue.name,
        url=links.site(venue.get_absolute_url()),
        api_url=links.api("venue", key=venue.key),
    )


def paper_ref(links: Links, paper: Paper) -> PaperRef:
    return PaperRef(
        id=paper.pk,
        title=paper.title,
        year=paper.year,
        url=links.site(paper.get_absolute_url()),
        api_url=links.api("paper", paper_id=paper.pk),
    )


def paper_out(links: Links, paper: Paper) -> PaperOut:
    return PaperOut(
        **paper_ref(links, paper).model_dump(),
        authors=list(paper.authors),
        venue=venue_ref(links, paper.venue) if paper.venue else None,
        abstract=paper.abstract,
        source_url=paper.url,
    )


def paper_item(links: Links, paper: Paper, summary_count: int) -> PaperListItem:
    return PaperListItem(
        **paper_ref(links, paper).model_dump(),
        authors=list(paper.authors),
        venue=venue_ref(links, paper.venue) if paper.venue else None,
        summary_count=summary_count,
    )


def identifier_out(identifier: PaperIdentifier) -> IdentifierOut:
    return IdentifierOut(scheme=identifier.scheme, value=identifier.value, link=identifier.link)


def _summary_fields(links: Links, card: SummaryCard, paper: Paper | None) -> dict[str, Any]:
    summary = card.summary
    return {
        "id": summary.pk,
        "url": links.site(summary.get_absolute_url()),
        "api_url": links.api("summary", summary_id=summary.pk),
        "paper": paper_ref(links, paper or summary.paper),
        "author": None if summary.is_anonymous else person_ref(links, summary.author),
        "anonymous": summary.is_anonymous,
        "status": "published" if summary.status == Summary.Status.PUBLISHED else "draft",
        "visibility": "private" if summary.visibility == Summary.Visibility.PRIVATE else "public",
        "hidden": summary.is_hidden,
        "score": summary.score,
        "comment_count": summary.comment_count,
        "published_at": summary.published_at,
        "edited_at": summary.edited_at,
        "excerpt_html": summary.excerpt_html,
        "my_vote": card.my_vote,
        "mine": card.is_mine,
    }


def summary_out(links: Links, card: SummaryCard, paper: Paper | None = None) -> SummaryOut:
    """`paper`, when the caller has it already (all summaries of one paper), saves a query per
    summary."""
    fields = _summary_fields(links, card, paper)
    return SummaryOut(**fields, markdown=card.summary.markdown, html=card.summary.html)


def summary_brief(links: Links, card: SummaryCard, *, full: bool = False) -> SummaryBrief:
    """A summary in a list; its rows were loaded without the whole text unless `full`."""
    fields = _summary_fields(links, card, None)
    if full:
        fields.update(markdown=card.summary.markdown, html=card.summary.html)
    return SummaryBrief(**fields)


def comment_out(links: Links, comment: Comment, replies: list[Comment]) -> CommentOut:
    """A comment with its replies; a deleted one keeps its place but loses text and author."""
    return CommentOut(
        id=comment.pk,
        author=None
        if comment.is_deleted or is_placeholder(comment.author.username)
        else person_ref(links, comment.author),
        deleted=comment.is_deleted,
        created_at=comment.created_at,
        edited_at=None if comment.is_deleted else comment.edited_at,
        html="" if comment.is_deleted else comment.html,
        replies=[comment_out(links, reply, []) for reply in replies],
    )
