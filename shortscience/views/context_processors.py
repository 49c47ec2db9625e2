"""Template context every page gets: the signed-in person's unread notification count (for the
site header) and what they follow (for follow buttons).

Both are lazy: a page that never shows them costs no query, an anonymous visitor never costs
one, and a page with many follow buttons costs one query for all of them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from shortscience.services import follows, notifications
from shortscience.views.pages.common import viewer


def following_and_notifications(request: HttpRequest) -> dict[str, Any]:
    user = viewer(request)
    if user is None:
        return {"unread_notifications": 0, "following": follows.FollowingSets()}
    return {
        "unread_notifications": SimpleLazyObject(lambda: notifications.unread_count(user)),
        "following": SimpleLazyObject(lambda: follows.following_sets(user)),
    }
