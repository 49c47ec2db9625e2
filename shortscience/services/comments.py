"""Discussion under summaries: comments in Markdown + math with @mentions, replies one level
deep, edits and tombstone deletes (the text goes, the place in the thread stays when it has
replies), and the preview of a comment as it will show.

The author of an anonymous summary comments under it as "the author (anonymous)": the comment
stores `as_summary_author` when posted while the summary is anonymous, so it stays anonymous if
the summary later shows its author's name, and `Comment.by_anonymous_author` also covers their
comments there while the summary is anonymous now (docs/writing.md, "Anonymous replies")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shortscience.models import Comment, Summary, User
from shortscience.models.comments import with_anonymity
from shortscience.models.summaries import public_q
from shortscience.rendering import RENDERER_VERSION, Rendered
from shortscience.services import events, markup, newcomers, standing
from shortscience.services.errors import NotFound, PermissionDenied
from shortscience.services.summaries import FormulaProblem, validate_markdown


@dataclass(frozen=True)
class Written:
    """A comment as saved, and the formulas of its text that failed to typeset (the API's
    answer lists them, as the summary editor does)."""

    comment: Comment
    formula_problems: tuple[FormulaProblem, ...]


def add(author: User, summary_id: int, markdown: str, parent_id: int | None = None) -> Comment:
    return post(author, summary_id, markdown, parent_id).comment


def post(author: User, summary_id: int, markdown: str, parent_id: int | None = None) -> Written:
    """Comment on a public summary, or reply to one of its comments."""
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
    rendered = render(text)  # outside SQLite's write lock
    html = rendered.html
    newcomers.ensure_may_post(author, html, new_post=True)
    with transaction.atomic():
        comment = Comment.objects.create(
            summary=summary,
            author=author,
            parent=parent,
            markdown=text,
            html=html,
            renderer_version=RENDERER_VERSION,
            as_summary_author=summary.is_anonymous and summary.author_id == author.pk,
        )
        # A moderator hid a comment of theirs here: the next ones wait for review.
        if standing.marked_under_summary(author, summary.pk):
            standing.hold_comment_for_review(comment)
        recount(summary.pk)
        events.comment_saved(comment, created=True)
    return Written(comment, rendered.math_problems)


def render(text: str) -> Rendered:
    """A comment's HTML: what saving stores and the preview shows (@mentions linked)."""
    return markup.render(text, heading_offset=3, mentions=True)


@dataclass(frozen=True)
class Preview:
    html: str
    math_errors: int
    as_anonymous_author: bool  # the writer would show as "the author (anonymous)"


def preview(user: User, summary_id: int, markdown: str) -> Preview:
    """The comment as it would show once posted under this public summary; nothing is stored.
    The same length rule as posting, so the preview never renders what could not be saved."""
    standing.ensure_can_write(user)
    summary = Summary.objects.filter(public_q(), pk=summary_id).only("is_anonymous", "author")
    found = summary.first()
    if found is None:
        raise NotFound("There is no such public summary to comment on.")
    text = validate_markdown(markdown, max_chars=settings.COMMENT_MAX_CHARS, what="comment")
    rendered = render(text)
    return Preview(
        rendered.html,
        len(rendered.math_errors),
        found.is_anonymous and found.author_id == user.pk,
    )


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
    return rewrite(user, comment_id, markdown).comment


def rewrite(user: User, comment_id: int, markdown: str) -> Written:
    """Replace the text of the user's own comment (unchanged text writes nothing)."""
    standing.ensure_can_write(user)
    comment = _owned(comment_id, user)
    text = validate_markdown(markdown, max_chars=settings.COMMENT_MAX_CHARS, what="comment")
    rendered = render(text)
    if text != comment.markdown:
        html = rendered.html
        newcomers.ensure_may_post(user, html, new_post=False)
        comment.markdown = text
        comment.html = html
        comment.renderer_version = RENDERER_VERSION
        comment.edited_at = timezone.now()
        with transaction.atomic():
            comment.save(update_fields=["markdown", "html", "renderer_version", "edited_at"])
            # Rewriting a shown comment after a moderator hid another of theirs here is
            # posting again: it waits for review like a new one (docs/moderation.md).
            if not comment.is_hidden and standing.marked_under_summary(user, comment.summary_id):
                standing.hold_comment_for_review(comment)
            events.comment_saved(comment, created=False)
    return Written(comment, rendered.math_problems)


def delete(user: User, comment_id: int) -> Comment:
    standing.ensure_can_write(user)
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


def threads(
    summary_ids: Iterable[int], *, moderating: Callable[[], bool] = lambda: False
) -> dict[int, list[Comment]]:
    """Top-level comments per summary, each with `.thread_replies` attached, in one query.

    A deleted comment without replies is left out; one with replies stays as a tombstone. A
    hidden comment is treated as deleted, except for a moderator, who sees it in its place
    marked `.shown_hidden` (templates/comments/_comment.html): `moderating` is asked only
    when a hidden comment is there, so other pages never pay for the question.
    """
    by_summary: dict[int, list[Comment]] = defaultdict(list)
    replies: dict[int, list[Comment]] = defaultdict(list)
    rows = with_anonymity(Comment.objects.filter(summary_id__in=list(summary_ids))).select_related(
        "author", "erratum"
    )
    asked: list[bool] = []

    def gone(comment: Comment) -> bool:
        if comment.deleted_at is not None:
            return True
        if not comment.is_hidden:
            return False
        if not asked:
            asked.append(moderating())
        # A per-request attribute: a moderator's view of a hidden comment.
        comment.shown_hidden = asked[0]  # type: ignore[attr-defined]  # see above
        return not asked[0]

    for comment in rows:
        if comment.parent_id is None:
            by_summary[comment.summary_id].append(comment)
        elif not gone(comment):
            replies[comment.parent_id].append(comment)
    result: dict[int, list[Comment]] = {}
    for summary_id, top in by_summary.items():
        kept = []
        for comment in top:
            # A per-request attribute: the replies the thread templates and the API show.
            comment.thread_replies = replies.get(comment.pk, [])  # type: ignore[attr-defined]  # see above
            if not gone(comment) or comment.thread_replies:  # type: ignore[attr-defined]  # set above
                kept.append(comment)
        result[summary_id] = kept
    return result
