"""The signed-in site header's facts: the reader's unread count and, for moderators only, the
"Moderation (N)" link, in the one query the unread count already cost; and the count of things
waiting in the queue, cached so that no page pays a query for it.

Whether the reader moderates is asked afresh with their unread count (`header`), so a new or
former moderator sees the change at their next page. The count (flagged things with an open
flag, the rows of the queue) is cached until a flag is raised or resolved (`events.flags_changed`
calls `touch`) and for at most `WAITING_SECONDS`, which also bounds how late a held first summary
(services/standing.py) shows in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, Subquery
from django.db.models.functions import Coalesce

from shortscience.models import Flag, User
from shortscience.services import notifications, standing

WAITING_KEY = "moderation:waiting"
WAITING_SECONDS = 60


@dataclass(frozen=True)
class Nav:
    """What the header shows: the link for moderators only, with the count."""

    shown: bool
    waiting: int = 0


HIDDEN = Nav(shown=False)


def waiting() -> int:
    """Flagged things with an open flag (one row each in the queue)."""
    found = cache.get(WAITING_KEY)
    if isinstance(found, int):
        return found
    count = (
        Flag.objects.filter(resolved_at__isnull=True)
        .values("target_type", "target_id")
        .distinct()
        .count()
    )
    cache.set(WAITING_KEY, count, WAITING_SECONDS)
    return count


@dataclass(frozen=True)
class Header:
    unread_notifications: int
    moderation: Nav


def header(reader: User) -> Header:
    """The reader's unread count and whether they moderate, in one query (the unread count is
    the notifications service's own); the queue's count is read only for moderators."""
    unread = notifications.unread(reader.pk).order_by().values("recipient")
    row = (
        User.objects.filter(pk=reader.pk)
        .annotate(
            header_unread=Coalesce(Subquery(unread.annotate(n=Count("pk")).values("n")), 0),
            header_moderates=Exists(
                Group.objects.filter(name=standing.MODERATORS_GROUP, user__pk=reader.pk)
            ),
        )
        .values_list("header_unread", "header_moderates", "is_active", "is_staff", "is_superuser")
        .first()
    )
    if row is None:
        return Header(0, HIDDEN)
    unread_count, in_group, active, staff, superuser = row
    moderates = bool(active and (staff or superuser or in_group))
    return Header(int(unread_count), Nav(shown=True, waiting=waiting()) if moderates else HIDDEN)


def touch() -> None:
    """Flags were raised or resolved: count again at the next look, and again after the commit
    (a page rendered between the write and its commit may have cached the old count)."""
    cache.delete(WAITING_KEY)
    transaction.on_commit(lambda: cache.delete(WAITING_KEY), robust=True)
