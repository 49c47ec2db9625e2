"""The discussion under a summary: reading the threads, posting a comment or a reply, and
editing or deleting your own comment."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from shortscience.services import comments, summaries
from shortscience.views.api import auth
from shortscience.views.api.errors import documented
from shortscience.views.api.schemas import (
    BodyIn,
    CommentOut,
    CommentWriteOut,
    Id,
    Links,
    comment_out,
    comment_write_out,
)

router = Router(auth=auth.READ)


class CommentList(Schema):
    summary_id: int
    items: list[CommentOut] = Field(description="Threads, oldest first; replies one level deep")


@router.get(
    "/summaries/{int:summary_id}/comments",
    response={200: CommentList, **documented(401, 404, 422)},
    openapi_extra=auth.OPTIONAL_AUTH,
)
def comment_list(request: HttpRequest, summary_id: Id) -> CommentList:
    """The comments on a summary the caller may see."""
    found = summaries.get_visible(summary_id, auth.reader(request))
    links = Links(request)
    threads = comments.threads([found.pk]).get(found.pk, [])
    return CommentList(
        summary_id=found.pk,
        items=[
            comment_out(links, top, top.thread_replies)  # type: ignore[attr-defined]  # comments.threads sets it
            for top in threads
        ],
    )


class CommentIn(BodyIn):
    markdown: str = Field(description="Markdown with $math$")
    parent: Id | None = Field(None, description="The comment this replies to")


@router.post(
    "/summaries/{int:summary_id}/comments",
    auth=auth.WRITE,
    response={201: CommentWriteOut, **documented(400, 401, 403, 404, 422, 429)},
)
def comment_add(
    request: HttpRequest, summary_id: Id, payload: CommentIn
) -> Status[CommentWriteOut]:
    """Comment on a public summary, or reply to one of its comments; `formula_problems` lists
    the formulas that failed."""
    user = auth.writer(request, "commenting")
    written = comments.post(user, summary_id, payload.markdown, payload.parent)
    return Status(201, comment_write_out(Links(request), written.comment, written.formula_problems))


class CommentEdit(BodyIn):
    markdown: str = Field(description="The new Markdown with $math$")


@router.patch(
    "/comments/{int:comment_id}",
    auth=auth.WRITE,
    response={200: CommentWriteOut, **documented(400, 401, 403, 404, 422, 429)},
)
def comment_edit(request: HttpRequest, comment_id: Id, payload: CommentEdit) -> CommentWriteOut:
    """Edit the caller's own comment; it shows as edited (`formula_problems` as for posting)."""
    user = auth.writer(request, "commenting")
    written = comments.rewrite(user, comment_id, payload.markdown)
    return comment_write_out(Links(request), written.comment, written.formula_problems)


@router.delete(
    "/comments/{int:comment_id}",
    auth=auth.WRITE,
    response={204: None, **documented(401, 403, 404, 422)},
)
def comment_delete(request: HttpRequest, comment_id: Id) -> Status[None]:
    """Delete the caller's own comment (a tombstone stays when it has replies)."""
    comments.delete(auth.writer(request), comment_id)
    return Status(204, None)
