"""Whether a person may write right now: suspended or banned people read but do not write."""

from __future__ import annotations

from django.utils import timezone

from shortscience.models import User
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
