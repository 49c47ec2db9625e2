"""What the API shows of papers, people, summaries and comments, and the functions that build
it from the models.

`summary_out` is the only place a summary's author is turned into JSON, as
`summaries/_byline.html` is for the pages: an anonymous summary has `author: null` and nothing
else that names, links or counts its author.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from shortscience.models import Comment, Paper, PaperIdentifier, Summary, User, Venue
from shortscience.services import authors
from shortscience.services.accounts import is_placeholder
from shortscience.services.cards import SummaryCard
from shortscience.services.links import absolute_url
from shortscience.services.summaries import FORMULA_PROBLEMS_LISTED, FormulaProblem
from shortscience.services.text import clean_text

# The URL namespace of the API's routes (app.py's urls_namespace): `Links.api` names them in it.
NAMESPACE = "api-v1"
# Text from a query string, a path or a JSON body, without the NUL bytes and lone surrogates
# that neither database can store or compare.
CleanStr = Annotated[str, AfterValidator(clean_text)]


def _whole(value: object) -> object:
    """JSON Schema's integer is any number without a fraction: 5.0 is 5 (strict bodies)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer in a JSON body, as JSON Schema means it (`5` or `5.0`, never `"5"` or `true`);
# bounds go before the validator (`Annotated[int, Field(ge=0), WHOLE]`), or the OpenAPI
# document loses them.
WHOLE = BeforeValidator(_whole)
# A row id in a path or body: larger numbers are a 422, never a database overflow.
Id = Annotated[int, Field(ge=1, le=2**63 - 1), WHOLE]


class BodyIn(Schema):
    """A JSON request body: an object whose values have the documented types, not values
    pydantic could coerce into them (`0` for false, `"7"` for 7): what the OpenAPI document
    says is what is accepted."""

    model_config = ConfigDict(strict=True)


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


class DraftOut(Schema):
    markdown: str = Field(description="Saved without publishing (autosave or publish=false)")
    saved_at: datetime | None


class SummaryOut(SummaryBrief):
    markdown: str = Field(description="The text readers read (never the unpublished draft)")
    html: str
    version: int | None = Field(
        default=None,
        description="Your own summary's version: send it back as base_version; null if not yours",
    )
    draft: DraftOut | None = Field(
        default=None, description="Your own unpublished draft beside it; null if none or not yours"
    )


class FormulaProblemOut(Schema):
    line: int = Field(description="Line of the Markdown where the formula starts (1 = first)")
    formula: str = Field(description="The formula's TeX as written")
    message: str = Field(description="The math engine's message")


class SummaryWriteOut(SummaryOut):
    formula_problems: list[FormulaProblemOut] = Field(
        description="The formulas of the text just saved that failed to typeset (the first 50)"
    )
    formula_problem_count: int = Field(
        description="How many failed in all (formula_problems lists at most 50)"
    )


class FormulaProblems(Schema):
    """What a write that renders Markdown adds to its answer: the formulas that failed."""

    formula_problems: list[FormulaProblemOut] = Field(
        description="The formulas of the text just saved that failed to typeset (the first 50)"
    )
    formula_problem_count: int = Field(
        description="How many failed in all (formula_problems lists at most 50)"
    )


class ErratumOut(Schema):
    status: Literal["confirmed", "fixed", "disputed"]
    note: str = Field(description='The author\'s short note, e.g. "fixed in v2"')
    marked_at: datetime


class CommentOut(Schema):
    id: int
    author: PersonRef | None = Field(
        description="null once the comment is deleted or its author's account is, and for a "
        "comment by the anonymous author of the summary (by_summary_author)"
    )
    by_summary_author: bool = Field(
        default=False,
        description='Written by the author of this anonymous summary, shown as "the author '
        '(anonymous)"; false for every other comment',
    )
    deleted: bool
    created_at: datetime
    edited_at: datetime | None
    html: str
    erratum: ErratumOut | None = Field(
        default=None, description="Marked by a verified author of the paper; null otherwise"
    )
    replies: list[CommentOut]


class CommentWriteOut(CommentOut, FormulaProblems):
    """A comment as just posted or edited, with the formulas of its text that failed."""


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
    return SummaryOut(**_summary_out_fields(links, card, paper))


def _summary_out_fields(links: Links, card: SummaryCard, paper: Paper | None) -> dict[str, Any]:
    summary = card.summary
    fields = _summary_fields(links, card, paper)
    fields.update(markdown=summary.markdown, html=summary.html)
    # Drafts and how often it changed are its author's business alone.
    if card.is_mine:
        fields["version"] = summary.version
        if summary.has_draft:
            fields["draft"] = DraftOut(
                markdown=summary.draft_markdown, saved_at=summary.draft_saved_at
            )
    return fields


def summary_write_out(
    links: Links, card: SummaryCard, problems: Sequence[FormulaProblem]
) -> SummaryWriteOut:
    """The answer to a write: the summary as saved and the formulas that failed in its text."""
    return SummaryWriteOut(**_summary_out_fields(links, card, None), **_problems(problems))


def _problems(problems: Sequence[FormulaProblem]) -> dict[str, Any]:
    listed = [
        FormulaProblemOut(line=p.line, formula=p.formula, message=p.message)
        for p in problems[:FORMULA_PROBLEMS_LISTED]
    ]
    return {"formula_problems": listed, "formula_problem_count": len(problems)}


def summary_brief(links: Links, card: SummaryCard, *, full: bool = False) -> SummaryBrief:
    """A summary in a list; its rows were loaded without the whole text unless `full`."""
    fields = _summary_fields(links, card, None)
    if full:
        fields.update(markdown=card.summary.markdown, html=card.summary.html)
    return SummaryBrief(**fields)


def _erratum_out(comment: Comment) -> ErratumOut | None:
    erratum = authors.erratum_of(comment)
    if erratum is None:
        return None
    return ErratumOut.model_validate(
        {"status": erratum.status, "note": erratum.note, "marked_at": erratum.marked_at}
    )


def comment_out(links: Links, comment: Comment, replies: list[Comment]) -> CommentOut:
    """A comment with its replies; a deleted one keeps its place but loses text and author."""
    anonymous = comment.by_anonymous_author
    return CommentOut(
        id=comment.pk,
        author=None
        if comment.is_deleted or anonymous or is_placeholder(comment.author.username)
        else person_ref(links, comment.author),
        by_summary_author=anonymous and not comment.is_deleted,
        deleted=comment.is_deleted,
        created_at=comment.created_at,
        edited_at=None if comment.is_deleted else comment.edited_at,
        html="" if comment.is_deleted else comment.html,
        erratum=None if comment.is_deleted else _erratum_out(comment),
        replies=[comment_out(links, reply, []) for reply in replies],
    )


def comment_write_out(
    links: Links, comment: Comment, problems: Sequence[FormulaProblem]
) -> CommentWriteOut:
    """The answer to posting or editing a comment: it as saved (no replies) and its failures."""
    return CommentWriteOut(**comment_out(links, comment, []).model_dump(), **_problems(problems))
