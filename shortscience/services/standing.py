"""Whether a person may write right now (suspended or banned people read but do not write), who
moderates, and which new copies wait for review: a new member's first summaries, and whatever a
person posts again where a moderator hid their summary or comment (moderation marks).

`ensure_can_write` is the one check of standing: every write service calls it first, so a page,
an API operation or a task reaching the service cannot skip it (docs/moderation.md).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from shortscience.models import Comment, Flag, ModerationMark, Summary, User
from shortscience.services.errors import PermissionDenied

MODERATORS_GROUP = "moderators"

_HELD_FIRST = "Held for review: one of a new member's first summaries (HOLD_FIRST_POSTS)."
_HELD_AGAIN_SUMMARY = (
    "Held for review: a moderator hid this person's earlier summary of this paper."
)
_HELD_AGAIN_COMMENT = (
    "Held for review: a moderator hid this person's earlier comment under this summary."
)


def ensure_can_write(user: User) -> None:
    """Refuse any write by a banned or suspended person (PermissionDenied, a 403)."""
    if not user.is_active:
        raise PermissionDenied("This account is banned.")
    if user.suspended_until is not None and user.suspended_until > timezone.now():
        until = timezone.localtime(user.suspended_until).strftime("%Y-%m-%d %H:%M UTC")
        raise PermissionDenied(f"Your account is suspended until {until}; you can still read.")


def is_moderator(user: User | None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or user.groups.filter(name=MODERATORS_GROUP).exists()


def must_hold(author: User) -> bool:
    """Whether this person's next published summary waits for a moderator (HOLD_FIRST_POSTS):
    true until they have that many public summaries that a moderator let through."""
    limit = settings.HOLD_FIRST_POSTS
    if limit <= 0 or is_moderator(author):
        return False
    cleared = Summary.objects.public().filter(author=author).count()
    return cleared < limit


def hold_for_review(summary: Summary, *, again: bool = False) -> None:
    """Hide a summary and put it in the moderation queue ("Held for review"): a new member's
    first summaries, or a copy posted `again` where a moderator hid the person's summary."""
    Summary.objects.filter(pk=summary.pk).update(is_hidden=True)
    summary.is_hidden = True
    why = _HELD_AGAIN_SUMMARY if again else _HELD_FIRST
    _queue(summary.author_id, Flag.Target.SUMMARY, summary.pk, why)


def hold_comment_for_review(comment: Comment) -> None:
    """Hide a comment posted again after a hide and put it in the moderation queue."""
    Comment.objects.filter(pk=comment.pk).update(is_hidden=True)
    comment.is_hidden = True
    _queue(comment.author_id, Flag.Target.COMMENT, comment.pk, _HELD_AGAIN_COMMENT)


def _queue(author_id: int, kind: str, pk: int, why: str) -> None:
    """Open the "Held for review" flag, reopening the one an earlier hold left resolved (one
    flag per reporter and target), so a held copy is always in the queue."""
    Flag.objects.update_or_create(
        reporter_id=author_id,
        target_type=kind,
        target_id=pk,
        defaults={"reason": Flag.Reason.OTHER, "text": why, "resolved_at": None},
    )


# -- moderation marks: a hide follows the person and the paper (or the discussion) ------------


def marked_on_paper(author: User, paper_id: int) -> bool:
    """A moderator hid this person's summary of this paper and has not let one through since."""
    return ModerationMark.objects.filter(user=author, paper_id=paper_id).exists()


def marked_under_summary(author: User, summary_id: int) -> bool:
    """A moderator hid a comment of this person's under this summary, not cleared since."""
    return ModerationMark.objects.filter(user=author, summary_id=summary_id).exists()


def remember_hidden_summary(summary: Summary) -> None:
    ModerationMark.objects.get_or_create(user_id=summary.author_id, paper_id=summary.paper_id)


def remember_hidden_comment(comment: Comment) -> None:
    ModerationMark.objects.get_or_create(user_id=comment.author_id, summary_id=comment.summary_id)


def forget_hidden_summary(summary: Summary) -> None:
    """A moderator restored the summary (or let a held copy through)."""
    ModerationMark.objects.filter(user_id=summary.author_id, paper_id=summary.paper_id).delete()


def forget_hidden_comment(comment: Comment) -> None:
    """A moderator restored the comment (or let a held copy through): the person comments
    under that summary freely again."""
    ModerationMark.objects.filter(user_id=comment.author_id, summary_id=comment.summary_id).delete()


def move_marks(
    *, paper: tuple[int, int] | None = None, summary: tuple[int, int] | None = None
) -> None:
    """Papers or summaries merged (services/merging.py): the marks go with what they mark; a
    person marked on both keeps the one mark."""
    column, (source, target) = ("paper_id", paper) if paper else ("summary_id", summary or (0, 0))
    there = ModerationMark.objects.filter(**{column: target}).values_list("user_id", flat=True)
    ModerationMark.objects.filter(**{column: source}).exclude(user_id__in=list(there)).update(
        **{column: target}
    )
