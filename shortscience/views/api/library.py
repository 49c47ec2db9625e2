"""The caller's library through the API: their lists, saving / moving / unsaving a paper, its
status and private note, and a list's export (docs/library.md).

Everything here is the caller's own, so every operation needs a token or a signed-in session;
reads work with any token, changes need the write scope and count against the "library" rate
limit like the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from shortscience.models import ReadingList, SavedPaper, User
from shortscience.services import library
from shortscience.views.api import auth
from shortscience.views.api.errors import documented
from shortscience.views.api.schemas import BodyIn, CleanStr, Id, Links

router = Router(auth=auth.WRITE)
CHANGE_ERRORS = documented(400, 401, 403, 404, 409, 422, 429)
ListName = Annotated[CleanStr, Field(min_length=1, max_length=library.NAME_MAX)]


class ListOut(Schema):
    id: int
    name: str
    is_default: bool
    is_public: bool = Field(description="Anyone with `url` sees its papers (never notes)")
    paper_count: int
    url: str


class ListsOut(Schema):
    items: list[ListOut]


class ListIn(BodyIn):
    name: ListName
    is_public: bool = False


class SavedOut(Schema):
    paper_id: int
    title: str
    list_id: int
    status: Literal["to_read", "read"]
    note_markdown: str = Field(description="Private to the caller")
    note_html: str
    saved_at: datetime


class SavedList(Schema):
    items: list[SavedOut] = Field(description="Newest saved first")


class SavedIn(BodyIn):
    list_id: Id | None = Field(None, description="Save into (or move to) this list")
    status: Literal["to_read", "read"] | None = None
    note: str | None = Field(None, max_length=library.NOTE_MAX, description="Markdown + math")


class ExportOut(Schema):
    format: Literal["bibtex", "csl-json"]
    content: str


def _me(request: HttpRequest) -> User:
    user = auth.caller(request).user
    assert user is not None, "guarded by auth.WRITE"
    return user


def _list_out(links: Links, found: ReadingList, count: int) -> ListOut:
    return ListOut(
        id=found.pk,
        name=found.name,
        is_default=found.is_default,
        is_public=found.is_public,
        paper_count=count,
        url=links.site(found.get_absolute_url()),
    )


def _saved_out(entry: SavedPaper) -> SavedOut:
    return SavedOut(
        paper_id=entry.paper_id,
        title=entry.paper.title,
        list_id=entry.reading_list_id,
        status=entry.status,  # type: ignore[arg-type]  # the model's choices are the Literal
        note_markdown=entry.note_markdown,
        note_html=entry.note_html,
        saved_at=entry.created_at,
    )


@router.get("/library/lists", response={200: ListsOut, **documented(401, 403)})
def library_lists(request: HttpRequest) -> ListsOut:
    """The caller's reading lists, the default one first."""
    links = Links(request)
    found = library.lists_of(_me(request))
    return ListsOut(items=[_list_out(links, rl, getattr(rl, "paper_count", 0)) for rl in found])


@router.post("/library/lists", response={201: ListOut, **CHANGE_ERRORS})
def library_list_create(request: HttpRequest, body: ListIn) -> Status[ListOut]:
    """Create a named list (private unless `is_public`)."""
    user = auth.writer(request, "library")
    found = library.create_list(user, body.name, public=body.is_public)
    return Status(201, _list_out(Links(request), found, 0))


@router.get(
    "/library/lists/{int:list_id}/papers", response={200: SavedList, **documented(401, 403, 404)}
)
def library_list_papers(request: HttpRequest, list_id: Id) -> SavedList:
    """The papers saved in one of the caller's lists, with status and note."""
    user = _me(request)
    found = library.own_list(user, list_id)
    return SavedList(items=[_saved_out(e) for e in library.entries(user, list_id=found.pk)])


@router.get(
    "/library/lists/{int:list_id}/export", response={200: ExportOut, **documented(401, 403, 404)}
)
def library_export(
    request: HttpRequest, list_id: Id, format: Literal["bibtex", "csl-json"] = "bibtex"
) -> ExportOut:
    """One of the caller's lists as BibTeX or CSL-JSON text (never notes)."""
    found = library.own_list(_me(request), list_id)
    if format == "bibtex":
        return ExportOut(format=format, content=library.export_bibtex(found))
    return ExportOut(format=format, content=library.export_csl(found))


@router.put("/library/papers/{int:paper_id}", response={200: SavedOut, **CHANGE_ERRORS})
def library_save(request: HttpRequest, paper_id: Id, body: SavedIn) -> SavedOut:
    """Save a paper (into the default list, or `list_id`: moving it there), and set its status
    and note when given. Idempotent."""
    user = auth.writer(request, "library")
    library.save(user, paper_id, body.list_id)
    if body.status is not None:
        library.set_status(user, paper_id, body.status)
    if body.note is not None:
        library.set_note(user, paper_id, body.note)
    found = library.saved(user, paper_id)
    assert found is not None, "just saved"
    found.paper  # noqa: B018 -- loads the title in this request, not lazily in the schema
    return _saved_out(found)


@router.delete("/library/papers/{int:paper_id}", response={204: None, **CHANGE_ERRORS})
def library_unsave(request: HttpRequest, paper_id: Id) -> Status[None]:
    """Remove a paper (and the caller's note on it) from the library; a no-op when not saved."""
    library.unsave(auth.writer(request, "library"), paper_id)
    return Status(204, None)
