"""Template context every page gets: the signed-in person's unread notification count (for the
site header), the moderators' "Moderation (N)" link (services/queuecount.py) and what they
follow (for follow buttons); placeholders instead when the page is
rendered as the shared copy for every signed-in reader.

Both are lazy: a page that never shows them costs no query, an anonymous visitor never costs
one, and a page with many follow buttons costs one query for all of them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from shortscience.services import follows, neutralpages, queuecount
from shortscience.views.pages.common import viewer


def following_and_notifications(request: HttpRequest) -> dict[str, Any]:
    if getattr(request, "neutral_render", False):
        # A shared signed-in copy (services/neutralpages.py): no reader's own facts, and
        # placeholders where each request puts its reader's header and token.
        return {
            "unread_notifications": 0,
            "following": follows.FollowingSets(
                neutralpages.noted_ids("paper"),
                neutralpages.noted_ids("user"),
                neutralpages.noted_ids("summary"),
                neutralpages.noted_ids("venue"),
            ),
            "csrf_token": neutralpages.csrf_placeholder(),
            "account_nav": mark_safe(neutralpages.header_placeholder()),  # noqa: S308 -- our constant
            "moderation_nav": queuecount.HIDDEN,
        }
    user = viewer(request)
    if user is None:
        return {
            "unread_notifications": 0,
            "following": follows.FollowingSets(),
            "moderation_nav": queuecount.HIDDEN,
        }
    header: Any = SimpleLazyObject(lambda: queuecount.header(user))  # one query for both
    return {
        "unread_notifications": SimpleLazyObject(lambda: header.unread_notifications),
        "following": SimpleLazyObject(lambda: follows.following_sets(user)),
        "moderation_nav": SimpleLazyObject(lambda: header.moderation),
    }
