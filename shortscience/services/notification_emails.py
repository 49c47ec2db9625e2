"""Notification e-mail: each person's choice (one mail per notification, a daily digest, or
none), the huey tasks that send them, and the one-click unsubscribe link every mail carries.

Mail is sent by the task worker, never inside a request: `queue` hands each notification to
`send_notification_email` (three retries, failures logged), and `send_daily_digests` runs once
a day. Unsubscribe links hold a signed user id (django.core.signing, its own salt), so they
work without signing in and cannot be forged for someone else; RFC 8058's List-Unsubscribe
headers let mail clients offer the same in one click.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from shortscience.models import Notification, User
from shortscience.services import notifications
from shortscience.services.errors import InvalidInput, NotFound

logger = logging.getLogger(__name__)

Choice = User.EmailNotifications
_SALT = "shortscience.notifications.unsubscribe"
DIGEST_MAX_ITEMS = 50


# --- The person's choice ------------------------------------------------------------------------


def parse_choice(raw: str) -> str:
    if raw not in Choice.values:
        raise InvalidInput(
            "Choose 'immediate', 'daily' or 'off'.", field_errors={"email_notifications": [raw]}
        )
    return raw


def set_choice(user: User, choice: str) -> None:
    """Store the choice. What arrived before it is never mailed later: switching from "off" to
    a digest must not send weeks of old notifications at once."""
    user.email_notifications = parse_choice(choice)
    user.save(update_fields=["email_notifications"])
    Notification.objects.filter(recipient=user, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )


def unsubscribe_token(user: User) -> str:
    return signing.dumps(user.pk, salt=_SALT, compress=True)


def unsubscribe_path(user: User) -> str:
    return f"/notifications/unsubscribe/{unsubscribe_token(user)}/"


def user_for_token(token: str) -> User:
    try:
        user_id = signing.loads(token, salt=_SALT)
    except signing.BadSignature as exc:
        raise NotFound("This unsubscribe link is not valid; change the setting signed in.") from exc
    user = User.objects.filter(pk=user_id).first() if isinstance(user_id, int) else None
    if user is None:
        raise NotFound("This unsubscribe link belongs to an account that no longer exists.")
    return user


def unsubscribe(token: str) -> User:
    """Turn all notification e-mail off for the link's owner (no sign-in needed)."""
    user = user_for_token(token)
    if user.email_notifications != Choice.OFF:
        set_choice(user, Choice.OFF)
    return user


# --- Sending ------------------------------------------------------------------------------------


def _message(user: User, subject: str, template: str, context: dict[str, object]) -> None:
    unsubscribe_url = settings.SITE_URL + unsubscribe_path(user)
    context = {
        **context,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe_url,
        "settings_url": settings.SITE_URL + "/settings/notifications/",
        "person": user,
    }
    mail = EmailMultiAlternatives(
        subject=f"[ShortScience] {subject}"[:200],
        body=render_to_string(f"notifications/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    mail.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    mail.send()


def queue(notification_ids: Iterable[int]) -> None:
    for notification_id in notification_ids:
        send_notification_email(notification_id)


@db_task(retries=3, retry_delay=settings.NOTIFICATIONS_EMAIL_RETRY_DELAY)
def send_notification_email(notification_id: int) -> None:
    """Mail one notification to a person who chose immediate mail, unless it was mailed
    already, its subject is gone, or they changed their mind since it was queued."""
    notification = (
        notifications.visible_for_all()
        .select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None:
        return
    person = notification.recipient
    if person.email_notifications != Choice.IMMEDIATE or not person.email or not person.is_active:
        return
    item = notifications.describe(notification)
    try:
        _message(person, item.headline, "notification", {"item": item})
    except Exception:
        # Logged here with the notification's id; huey retries it three times.
        logger.exception("Could not e-mail notification %s", notification_id)
        raise
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())


def send_digest(person: User) -> bool:
    """One mail with the person's visible notifications not yet mailed; True if sent."""
    started = timezone.now()
    pending = notifications.visible_for(person).filter(
        emailed_at__isnull=True, created_at__lte=started
    )
    rows = list(pending[:DIGEST_MAX_ITEMS])
    if not rows or not person.email:
        return False
    total = pending.count() if len(rows) == DIGEST_MAX_ITEMS else len(rows)
    items = [notifications.describe(row) for row in rows]
    subject = f"{total} new notification{'s' if total != 1 else ''}"
    _message(person, subject, "digest", {"items": items, "total": total, "more": total - len(rows)})
    pending.update(emailed_at=started)
    return True


@db_periodic_task(crontab(minute="0", hour=str(settings.NOTIFICATIONS_DIGEST_HOUR)))
def send_daily_digests() -> int:
    """The daily digest for everyone who chose it; one failed mail does not stop the rest."""
    people = User.objects.filter(
        is_active=True,
        email_notifications=Choice.DAILY,
        pk__in=notifications.visible_for_all()
        .filter(emailed_at__isnull=True)
        .values("recipient_id"),
    ).order_by("pk")
    sent = 0
    for person in people:
        try:
            sent += send_digest(person)
        except Exception:
            # The rows stay un-mailed, so tomorrow's digest carries them.
            logger.exception("Could not send the daily digest to user %s", person.pk)
    return sent
