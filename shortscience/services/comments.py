"""Discussion under summaries: comments in Markdown + math, replies one level deep, edits and
tombstone deletes (the text goes, the place in the thread stays when it has replies)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shortscience.models import Comment, Summary, User
from shortscience.models.summaries import public_q
from shortscience.rendering import RENDERER_VERSION
from shortscience.services import events, markup, standing
from shortscience.services.errors import NotFound, PermissionDenied
from shortscience.services.summaries import validate_markdown


def add(author: User, summary_id: int, markdown: str, parent_id: int | None = None) -> Comment:
    standing.ensure_can_write(author)
    summary = Summary.objects.filter(public_q(), pk=summary_id).first()
    if summary is None:
        raise NotFound("There is no such public summary to comment on.")
    if summary.comments_locked:
        raise PermissionDenied("A moderator locked the comments on this summary.")
    text = validate_markdown(markdown, max_chars=settings.COMMENT_MAX_CHARS, what="comment")
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(
            pk=parent_id, summary=summary, deleted_at__isnull=True, is_hidden=False
        ).first()
        if parent is None:
            raise NotFound("The comment you are replying to no longer exists.")
        # Replies stay one level deep: a reply to a reply joins the same thread.
        if parent.parent_id is not None:
            parent = parent.parent
    html = markup.render(text, heading_offset=3).html  # outside SQLite's write lock
    with transaction.atomic():
        comment = Comment.objects.create(
            summary=summary,
            author=author,
            parent=parent,
            markdown=text,
            html=html,
            renderer_version=RENDERER_VERSION,
        )
        recount(summary.pk)
        events.comment_saved(comment, created=True)
    return comment


def _owned(comment_id: int, user: User, *, staff_may: bool = False) -> Comment:
    comment = Comment.objects.filter(pk=comment_id, deleted_at__isnull=True).first()
    if comment is None:
        raise NotFound("There is no such comment.")
    if comment.author_id != user.pk and not (staff_may and user.is_staff):
        raise PermissionDenied("Only the author can change this comment.")
    return comment


def get_for_edit(comment_id: int, user: User) -> Comment:
    """Only the author edits: an edited comment still shows under their name."""
    return _owned(comment_id, user)


def edit(user: User, comment_id: int, markdown: str) -> Comment:
    comment = _owned(comment_id, user)
    text = validate_markdown(markdown, max_chars=settings.COMMENT_MAX_CHARS, what="comment")
    if text != comment.markdown:
        comment.markdown = text
        comment.html = markup.render(text, heading_offset=3).html
        comment.renderer_version = RENDERER_VERSION
        comment.edited_at = timezone.now()
        with transaction.atomic():
            comment.save(update_fields=["markdown", "html", "renderer_version", "edited_at"])
            events.comment_saved(comment, created=False)
    return comment


def delete(user: User, comment_id: int) -> Comment:
    comment = _owned(comment_id, user, staff_may=True)
    with transaction.atomic():
        comment.markdown = ""
        comment.html = ""
        comment.deleted_at = timezone.now()
        comment.save(update_fields=["markdown", "html", "deleted_at"])
        recount(comment.summary_id)
        events.comment_removed(comment)
    return comment


def recount(summary_id: int) -> None:
    """Store the number of visible comments on the summary and mark it active."""
    count = Comment.objects.filter(
        summary_id=summary_id, deleted_at__isnull=True, is_hidden=False
    ).count()
    Summary.objects.filter(pk=summary_id).update(
        comment_count=count, last_activity_at=timezone.now()
    )


def threads(summary_ids: Iterable[int]) -> dict[int, list[Comment]]:
    """Top-level comments per summary, each with `.thread_replies` attached, in one query.

    A deleted comment without replies is left out; one with replies stays as a tombstone.
    """
    by_summary: dict[int, list[Comment]] = defaultdict(list)
    replies: dict[int, list[Comment]] = defaultdict(list)
    rows = Comment.objects.filter(summary_id__in=list(summary_ids)).select_related("author")
    for comment in rows:
        if comment.parent_id is None:
            by_summary[comment.summary_id].append(comment)
        elif not comment.is_deleted:
            replies[comment.parent_id].append(comment)
    result: dict[int, list[Comment]] = {}
    for summary_id, top in by_summary.items():
        kept = []
        for comment in top:
            # A per-request attribute: the replies the thread templates and the API show.
            comment.thread_replies = replies.get(comment.pk, [])  # type: ignore[attr-defined]  # see above
            if not comment.is_deleted or comment.thread_replies:  # type: ignore[attr-defined]  # set above
                kept.append(comment)
        result[summary_id] = kept
    return result
