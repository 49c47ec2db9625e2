"""The caller's notifications: list them (newest first, with the unread count), mark one or all
read. The rows are made by services/notifications.py when followed things happen."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from shortscience.services import notifications
from shortscience.views.api import auth
from shortscience.views.api.errors import documented
from shortscience.views.api.pagination import PageParams, next_url, paginate
from shortscience.views.api.schemas import Id, Links

router = Router(auth=auth.WRITE)
ORDER = ("-created_at", "-pk")


class NotificationOut(Schema):
    id: int
    kind: str = Field(
        description="paper_summary, user_summary, summary_comment, comment_reply, "
        "discussion_comment or comment_mention"
    )
    text: str = Field(
        description="What happened, in one line; 'Anonymous' for anonymous authors, 'The "
        "author (anonymous)' for a comment by an anonymous summary's author"
    )
    url: str = Field(description="The summary or comment it is about")
    summary_id: int
    created_at: datetime
    unread: bool


class NotificationPage(Schema):
    unread_count: int
    items: list[NotificationOut] = Field(description="Newest first")
    next: str | None
    next_cursor: str | None


@router.get("/notifications", response={200: NotificationPage, **documented(400, 401, 403, 422)})
def notification_list(request: HttpRequest, params: Query[PageParams]) -> NotificationPage:
    """The caller's notifications, newest first, with the unread count."""
    user = auth.caller(request).user
    assert user is not None, "guarded by auth.WRITE"
    page = paginate(notifications.visible_for(user), ORDER, params.cursor, params.limit)
    links = Links(request)
    items = []
    for row in page.items:
        item = notifications.describe(row)
        items.append(
            NotificationOut(
                id=item.pk,
                kind=item.kind,
                text=item.headline,
                url=links.site(item.path),
                summary_id=row.summary_id or 0,
                created_at=item.created_at,
                unread=item.unread,
            )
        )
    return NotificationPage(
        unread_count=notifications.unread_count(user),
        items=items,
        next=next_url(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )


@router.post(
    "/notifications/{int:notification_id}/read",
    response={204: None, **documented(401, 403, 404, 422)},
)
def notification_read(request: HttpRequest, notification_id: Id) -> Status[None]:
    """Mark one of the caller's notifications read."""
    notifications.mark_read(auth.writer(request), notification_id)
    return Status(204, None)


class MarkedOut(Schema):
    marked: int = Field(description="How many notifications were unread")


@router.post("/notifications/read-all", response={200: MarkedOut, **documented(401, 403)})
def notification_read_all(request: HttpRequest) -> MarkedOut:
    """Mark all of the caller's notifications read."""
    return MarkedOut(marked=notifications.mark_all_read(auth.writer(request)))
