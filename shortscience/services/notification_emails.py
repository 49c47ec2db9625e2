"""Notification e-mail: each person's choice (one mail per notification, a daily digest, or
none), the huey tasks that send them, and the one-click unsubscribe link every mail carries.

Mail is sent by the task worker, never inside a request: `queue` hands each notification to
`send_notification_email` (three retries, failures logged), and `send_daily_digests` runs once
a day.

Each notification is mailed once, whatever the queue does. The database holds the state
(`emailed_at`, `email_claimed_at`), the queue only carries wake-ups: a task claims its row with
one conditional UPDATE (unsent, and unclaimed or claimed longer ago than
NOTIFICATIONS_EMAIL_CLAIM_SECONDS), sends with a Message-ID made from the notification's id,
then records the send. A task queued twice, or run by two workers, finds the row claimed or sent
and mails nothing. `resend_unsent`, every minute, queues again what is still unsent
NOTIFICATIONS_EMAIL_SWEEP_AFTER seconds after it was made and not claimed (the queue was down
when the write committed, Redis lost its data, the worker was killed before it sent). The one
edge left is a worker that dies after the SMTP server accepted the mail and before the row
records it: after the claim expires the sweep sends it again, with the same Message-ID, so the
receiving side can drop the copy. No protocol closes that gap: SMTP cannot take part in our
transaction, so a send is either possibly lost or possibly repeated; we choose repeated, once,
and make the repeat recognisable (docs/decisions/0015-degraded-services.md).

Unsubscribe links hold a signed user id (django.core.signing, its own salt), so they
work without signing in and cannot be forged for someone else; RFC 8058's List-Unsubscribe
headers let mail clients offer the same in one click.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from shortscience.models import Notification, User
from shortscience.services import notifications
from shortscience.services.errors import InvalidInput, NotFound
from shortscience.services.links import absolute_url
from shortscience.services.text import mail_subject

logger = logging.getLogger(__name__)

Choice = User.EmailNotifications
_SALT = "shortscience.notifications.unsubscribe"
DIGEST_MAX_ITEMS = 50
# The sweep leaves older notifications alone: mail about a week-old comment helps nobody.
SWEEP_MAX_AGE = timedelta(days=2)
SWEEP_BATCH = 500
# Recording a sent mail is retried this long (a PostgreSQL restart takes about two seconds).
RECORD_RETRY_SECONDS = (0.5, 1, 2, 4)


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
    return reverse("unsubscribe", args=[unsubscribe_token(user)])


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


def _message(
    user: User,
    subject: str,
    template: str,
    context: dict[str, object],
    *,
    message_id: str | None = None,
) -> None:
    unsubscribe_url = absolute_url(unsubscribe_path(user))
    context = {
        **context,
        "notifications_url": absolute_url(reverse("notifications")),
        "unsubscribe_url": unsubscribe_url,
        "settings_url": absolute_url(reverse("notification-settings")),
        "person": user,
    }
    mail = EmailMultiAlternatives(
        # Names and titles in it come from people and imports, older rows included.
        subject=mail_subject(f"[ShortScience] {subject}", 200),
        body=render_to_string(f"notifications/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            **({"Message-ID": message_id} if message_id else {}),
        },
    )
    mail.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    mail.send()


def message_id(notification_id: int) -> str:
    """The same Message-ID every time this notification is mailed: a repeat after a crash can
    be recognised (and dropped) by whoever receives it."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    site = hashlib.sha256(settings.SITE_URL.encode()).hexdigest()[:8]
    return f"<notification-{notification_id}.{site}@{host}>"


def queue_after_commit(notification_ids: list[int]) -> None:
    """Queue these mails once the write that made the rows commits, so the worker finds them
    and a rolled-back write mails nobody (robust: a failing queue never fails the write; the
    sweep sends what it left)."""
    if notification_ids:
        transaction.on_commit(lambda: queue(notification_ids), robust=True)


def queue(notification_ids: Iterable[int]) -> None:
    """Queue each mail; called after the commit, so a queue that fails (Redis down) is logged
    and left to the sweep, never raised into the committed write."""
    for notification_id in notification_ids:
        try:
            send_notification_email(notification_id)
        except Exception:
            logger.exception(
                "Could not queue the e-mail of notification %s; the sweep will", notification_id
            )


def _claim(notification_id: int) -> bool:
    now = timezone.now()
    expired = now - timedelta(seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS)
    claimed = (
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=expired))
        .update(email_claimed_at=now)
    )
    return claimed == 1


def _release(notification_id: int) -> None:
    """Give the claim back after a failed send, so the retry need not wait for it to expire."""
    try:
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
            email_claimed_at=None
        )
    except DatabaseError:  # then the claim expires and the sweep takes it
        logger.warning("Could not release the e-mail claim of notification %s", notification_id)


def _record_sent(notification_id: int) -> None:
    """Mark it mailed, through a short database outage: until this lands, a crash means one
    repeat (with the same Message-ID) after the claim expires."""
    for delay in (*RECORD_RETRY_SECONDS, None):
        try:
            _mark_sent(notification_id)
            return
        except DatabaseError:
            if delay is None:
                raise
            logger.warning("Could not record the e-mail of notification %s yet", notification_id)
            time.sleep(delay)
            if not transaction.get_connection().in_atomic_block:
                close_old_connections()  # a broken connection is replaced by the next query


def _mark_sent(notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())


@db_task(retries=3, retry_delay=settings.NOTIFICATIONS_EMAIL_RETRY_DELAY)
def send_notification_email(notification_id: int) -> None:
    """Mail one notification to a person who chose immediate mail, unless it was mailed
    already, another worker is mailing it, its subject is gone, or they changed their mind
    since it was queued."""
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
    if not _claim(notification_id):
        return
    item = notifications.describe(notification)
    try:
        _message(
            person,
            item.headline,
            "notification",
            {"item": item},
            message_id=message_id(notification_id),
        )
    except Exception:
        # Logged here with the notification's id; huey retries it three times, then the sweep.
        logger.exception("Could not e-mail notification %s", notification_id)
        _release(notification_id)
        raise
    _record_sent(notification_id)


def unsent_q() -> Q:
    """Immediate mail that the queue should have delivered by now and nobody is sending."""
    now = timezone.now()
    expired = now - timedelta(seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS)
    return (
        Q(emailed_at__isnull=True)
        & Q(created_at__lte=now - timedelta(seconds=settings.NOTIFICATIONS_EMAIL_SWEEP_AFTER))
        & Q(created_at__gte=now - SWEEP_MAX_AGE)
        & (Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=expired))
        & Q(recipient__email_notifications=Choice.IMMEDIATE, recipient__is_active=True)
        & ~Q(recipient__email="")
    )


@db_periodic_task(crontab(minute="*"))
def resend_unsent() -> int:
    """Queue again every immediate mail the queue lost; the claim makes a repeat harmless."""
    found = list(
        notifications.visible_for_all()
        .filter(unsent_q())
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if found:
        logger.warning("Queueing %s notification e-mails again: %s", len(found), found[:20])
        queue(found)
    return len(found)


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
