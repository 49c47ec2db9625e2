"""Limits on new accounts, where spam comes from (docs/moderation.md, "Limits that hold").

For NEW_ACCOUNT_DAYS after sign-up an account publishes at most NEW_ACCOUNT_POSTS_PER_DAY
summaries and comments in any 24 hours, and each summary or comment it publishes carries at most
NEW_ACCOUNT_LINKS_PER_POST links to other sites; 0 turns either off. Moderators are exempt.
The summaries and comments services call `ensure_may_post` before they write, so pages and the
API are held alike. The counts are of what is stored (published summaries, comments, deleted
ones too), so deleting and posting again does not free a place.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from shortscience.models import Comment, Summary, User
from shortscience.services import standing
from shortscience.services.errors import InvalidInput, RateLimited

_DAY = timedelta(days=1)
_HREF = re.compile(r"<a\s[^>]*?\bhref=\"([^\"]*)\"", re.IGNORECASE)


def applies_to(user: User, now: datetime | None = None) -> bool:
    """Whether any new-account limit is on and `user` is young enough for it (no query)."""
    days = settings.NEW_ACCOUNT_DAYS
    if days <= 0 or (
        settings.NEW_ACCOUNT_LINKS_PER_POST <= 0 and settings.NEW_ACCOUNT_POSTS_PER_DAY <= 0
    ):
        return False
    return user.date_joined > (now or timezone.now()) - timedelta(days=days)


def ensure_may_post(author: User, html: str, *, new_post: bool) -> None:
    """When `author` is a new account: raise InvalidInput if the post with this rendered `html`
    has too many links, RateLimited if (`new_post`: it is published now, not an edit) it would
    be one too many in 24 hours. Costs no query for an account past its first days."""
    links, per_day = settings.NEW_ACCOUNT_LINKS_PER_POST, settings.NEW_ACCOUNT_POSTS_PER_DAY
    now = timezone.now()
    if not applies_to(author, now):
        return
    if links > 0:
        found = count_links(html)
        if found > links and not standing.is_moderator(author):
            message = (
                f"New accounts can include at most {links} link{'s' if links != 1 else ''} "
                f"to other sites in a summary or comment; this one has {found}. Remove some, "
                f"or post them after your first {settings.NEW_ACCOUNT_DAYS} days."
            )
            raise InvalidInput(message, field_errors={"markdown": [message]})
    if per_day > 0 and new_post:
        wait = _wait_for_a_place(author, per_day, now)
        if wait is not None and not standing.is_moderator(author):
            raise RateLimited(
                f"New accounts can publish {per_day} summaries and comments a day during their "
                f"first {settings.NEW_ACCOUNT_DAYS} days. You can post again in {_words(wait)}.",
                max(1, math.ceil(wait)),
            )


def _words(seconds: float) -> str:
    if seconds >= 5400:
        return f"about {round(seconds / 3600)} hours"
    minutes = max(1, round(seconds / 60))
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"


def count_links(html: str) -> int:
    """Links in rendered HTML that leave the site (paths on this site are not counted)."""
    site = urlsplit(settings.SITE_URL).netloc.lower()
    count = 0
    for href in _HREF.findall(html):
        parts = urlsplit(href)
        if (parts.scheme or parts.netloc) and parts.netloc.lower() != site:
            count += 1
    return count


def _wait_for_a_place(author: User, per_day: int, now: datetime) -> float | None:
    """Seconds until fewer than `per_day` of the author's posts fall in the last 24 hours;
    None when there is a place now. Two queries, each on the author's index."""
    since = now - _DAY
    published = Summary.objects.filter(author=author, published_at__gt=since)
    commented = Comment.objects.filter(author=author, created_at__gt=since)
    times = sorted(
        [
            *(when for when in published.values_list("published_at", flat=True) if when),
            *commented.values_list("created_at", flat=True),
        ]
    )
    if len(times) < per_day:
        return None
    return (times[-per_day] + _DAY - now).total_seconds()
