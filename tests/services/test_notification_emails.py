"""Each notification is mailed exactly once whatever the queue does: lost (Redis flushed or
down at the commit), run twice, or its worker killed before it sent; a crash after the send
repeats it at most once, with the same Message-ID."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from redis.exceptions import ConnectionError as RedisConnectionError

from shortscience.models import Comment, Notification
from shortscience.services import comments, notification_emails
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def queue_down(*args: Any, **kwargs: Any) -> None:
    raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def age(notification: Notification, seconds: int, *, claimed: int | None = None) -> None:
    """Move a notification (and its claim) back in time, as if that long had passed."""
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(
        created_at=now - timedelta(seconds=seconds),
        email_claimed_at=None if claimed is None else now - timedelta(seconds=claimed),
    )


@pytest.fixture
def lost(monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any) -> Notification:
    """A comment on bob's summary whose mail the queue never got (it raised at the commit)."""
    bob, carol = make_user(), make_user(email_notifications="off")
    summary = make_summary(bob)
    with monkeypatch.context() as patched:
        patched.setattr(HUEY, "enqueue", queue_down)
        with django_capture_on_commit_callbacks(execute=True):
            comments.add(carol, summary.pk, "Sent while the queue was down.")
    assert mail.outbox == []
    return Notification.objects.get(recipient=bob)


def test_a_comment_posted_while_the_queue_is_down_is_saved_once_and_answered_as_usual(
    monkeypatch, client_for, caplog, django_capture_on_commit_callbacks
):
    bob = make_user()
    summary = make_summary(bob)
    monkeypatch.setattr(HUEY, "enqueue", queue_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(make_user()).post(
            f"/summaries/{summary.pk}/comments/", {"markdown": "Posted while Redis was down."}
        )
    assert callbacks  # the mail was to be queued after the commit
    assert response.status_code == 302
    assert Comment.objects.filter(markdown="Posted while Redis was down.").count() == 1
    assert Notification.objects.get(recipient=bob).emailed_at is None
    assert "the sweep will" in caplog.text


def test_the_sweep_mails_what_the_queue_lost_once(lost):
    assert notification_emails.resend_unsent.call_local() == 0  # within the grace period
    age(lost, 300)
    assert notification_emails.resend_unsent.call_local() == 1
    assert notification_emails.resend_unsent.call_local() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == notification_emails.message_id(lost.pk)
    lost.refresh_from_db()
    assert lost.emailed_at is not None


def test_a_worker_killed_before_it_sent_leaves_a_claim_the_sweep_takes_over_once(lost):
    age(lost, 300, claimed=60)  # claimed a minute ago by a worker that died
    assert notification_emails.resend_unsent.call_local() == 0
    assert mail.outbox == []
    age(lost, 2000, claimed=1000)  # the claim has expired
    assert notification_emails.resend_unsent.call_local() == 1
    notification_emails.resend_unsent.call_local()
    assert len(mail.outbox) == 1


def test_a_mail_queued_twice_is_sent_once(lost):
    notification_emails.send_notification_email.call_local(lost.pk)
    notification_emails.send_notification_email.call_local(lost.pk)
    assert len(mail.outbox) == 1


def test_a_mail_another_worker_is_sending_is_not_sent_again(lost):
    age(lost, 10, claimed=5)
    notification_emails.send_notification_email.call_local(lost.pk)
    assert mail.outbox == []


def test_a_failed_send_gives_its_claim_back_for_the_retry(lost, settings):
    settings.EMAIL_BACKEND = "tests.services.test_notifications.FailingBackend"
    with pytest.raises(ConnectionRefusedError):
        notification_emails.send_notification_email.call_local(lost.pk)
    lost.refresh_from_db()
    assert lost.email_claimed_at is None and lost.emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification_emails.send_notification_email.call_local(lost.pk)
    assert len(mail.outbox) == 1


def test_recording_the_send_is_retried_through_a_short_database_outage(lost, monkeypatch):
    monkeypatch.setattr(notification_emails, "RECORD_RETRY_SECONDS", (0, 0, 0))
    real_mark = notification_emails._mark_sent
    attempts: list[int] = []

    def restarting_database(notification_id: int) -> None:
        attempts.append(notification_id)
        if len(attempts) < 3:
            raise OperationalError("the database system is shutting down")
        real_mark(notification_id)

    monkeypatch.setattr(notification_emails, "_mark_sent", restarting_database)
    notification_emails.send_notification_email.call_local(lost.pk)
    assert len(mail.outbox) == 1 and len(attempts) == 3
    lost.refresh_from_db()
    assert lost.emailed_at is not None


def test_a_crash_between_sending_and_recording_repeats_once_with_the_same_message_id(
    lost, monkeypatch
):
    monkeypatch.setattr(notification_emails, "RECORD_RETRY_SECONDS", ())

    def crash(notification_id: int) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patched:
        patched.setattr(notification_emails, "_mark_sent", crash)
        with pytest.raises(OperationalError):
            notification_emails.send_notification_email.call_local(lost.pk)
    notification_emails.send_notification_email.call_local(lost.pk)  # huey's retry: claimed
    assert len(mail.outbox) == 1
    age(lost, 2000, claimed=1000)
    notification_emails.resend_unsent.call_local()
    notification_emails.resend_unsent.call_local()
    assert len(mail.outbox) == 2
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {
        notification_emails.message_id(lost.pk)
    }


def test_the_sweep_leaves_digests_opt_outs_and_old_notifications_alone(lost):
    age(lost, int(notification_emails.SWEEP_MAX_AGE.total_seconds()) + 60)
    assert notification_emails.resend_unsent.call_local() == 0
    age(lost, 300)
    lost.recipient.email_notifications = "daily"
    lost.recipient.save(update_fields=["email_notifications"])
    assert notification_emails.resend_unsent.call_local() == 0
    assert mail.outbox == []


def test_the_sweep_runs_every_minute():
    from huey.contrib.djhuey import HUEY as huey

    assert notification_emails.resend_unsent.task_class.__name__ in {
        task.__name__ for task in huey._registry._periodic_tasks
    }


def test_a_display_name_stored_with_a_line_break_still_gets_its_mail_sent(
    django_capture_on_commit_callbacks,
):
    from shortscience.models import User

    bob, carol = make_user(), make_user(email_notifications="off")
    # Stored before names were checked (or by hand): a newline would make the subject a
    # header injection that Django refuses, and the mail would never go.
    User.objects.filter(pk=carol.pk).update(display_name="Carol\nBcc: everyone@example.org")
    summary = make_summary(bob)
    with django_capture_on_commit_callbacks(execute=True):
        comments.add(User.objects.get(pk=carol.pk), summary.pk, "Nice summary.")
    assert len(mail.outbox) == 1
    subject = mail.outbox[0].subject
    assert subject.startswith("[ShortScience] Carol Bcc: everyone@example.org commented")
    assert "\n" not in subject and "\r" not in subject
    mail.outbox[0].message()  # the headers can be built
    assert Notification.objects.get(recipient=bob).emailed_at is not None
