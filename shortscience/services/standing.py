"""Whether a person may write right now (suspended or banned people read but do not write), who
moderates, and holding a new member's first summaries for review."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from shortscience.models import Flag, Summary, User
from shortscience.services.errors import PermissionDenied

MODERATORS_GROUP = "moderators"


def ensure_can_write(user: User) -> None:
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


def hold_for_review(summary: Summary) -> None:
    """Hide a new member's summary and put it in the moderation queue."""
    Summary.objects.filter(pk=summary.pk).update(is_hidden=True)
    summary.is_hidden = True
    Flag.objects.get_or_create(
        reporter=summary.author,
        target_type=Flag.Target.SUMMARY,
        target_id=summary.pk,
        defaults={
            "reason": Flag.Reason.OTHER,
            "text": "Held for review: one of a new member's first summaries (HOLD_FIRST_POSTS).",
        },
    )
