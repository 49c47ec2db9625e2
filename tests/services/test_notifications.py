"""Events become notifications (once, never to the actor, never naming an anonymous author),
and notification e-mail: immediate, daily digest, unsubscribe, retries."""

from __future__ import annotations

import logging
from typing import Any, TypedDict

import pytest
from django.core import mail
from django.test import Client

from shortscience.models import Notification, Summary, User, Venue
from shortscience.services import comments, follows, moderation, notification_emails, notifications
from shortscience.services.errors import NotFound
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def kinds_for(user: User) -> list[str]:
    return [n.kind for n in Notification.objects.filter(recipient=user).order_by("pk")]


def quiet(**extra: Any) -> User:
    """A person who wants no mail, so tests about rows are not about mail."""
    return make_user(email_notifications="off", **extra)


# --- Summaries ----------------------------------------------------------------------------------


def test_a_new_summary_on_a_followed_paper_notifies_the_follower():
    ada, bob = quiet(), quiet()
    paper = make_paper()
    follows.follow(ada, "paper", paper.pk)
    summary = make_summary(bob, paper)
    found = Notification.objects.get(recipient=ada)
    assert (found.kind, found.actor_id, found.summary_id, found.paper_id) == (
        Kind.PAPER_SUMMARY,
        bob.pk,
        summary.pk,
        paper.pk,
    )
    item = notifications.page(ada, 1).items[0]
    assert item.unread and item.path == f"/summaries/{summary.pk}/"
    assert bob.shown_name in item.headline and paper.title in item.headline


def test_a_new_summary_by_a_followed_person_notifies_their_follower():
    ada, bob = quiet(), quiet()
    follows.follow(ada, "user", bob.pk)
    make_summary(bob)
    assert kinds_for(ada) == [Kind.USER_SUMMARY]


def test_following_both_paper_and_author_gives_one_notification():
    ada, bob = quiet(), quiet()
    paper = make_paper()
    follows.follow(ada, "paper", paper.pk)
    follows.follow(ada, "user", bob.pk)
    make_summary(bob, paper)
    assert kinds_for(ada) == [Kind.PAPER_SUMMARY]


class Visibility(TypedDict, total=False):
    publish: bool
    private: bool


@pytest.mark.parametrize("options", [{"publish": False}, {"private": True}])
def test_drafts_and_private_summaries_notify_nobody(options: Visibility):
    ada, bob = quiet(), quiet()
    paper = make_paper()
    follows.follow(ada, "paper", paper.pk)
    follows.follow(ada, "user", bob.pk)
    make_summary(bob, paper, **options)
    assert kinds_for(ada) == []


def test_a_draft_notifies_when_it_is_published_and_only_once():
    ada, bob = quiet(), quiet()
    paper = make_paper()
    follows.follow(ada, "paper", paper.pk)
    make_summary(bob, paper, "v1", publish=False)
    assert kinds_for(ada) == []
    make_summary(bob, paper, "v2")
    make_summary(bob, paper, "v3", private=True)
    make_summary(bob, paper, "v4")
    make_summary(bob, paper, "v5 edited")
    assert kinds_for(ada) == [Kind.PAPER_SUMMARY]


def test_the_author_is_never_told_about_their_own_summary():
    bob = quiet()
    paper = make_paper()
    follows.follow(bob, "paper", paper.pk)
    make_summary(bob, paper)
    assert kinds_for(bob) == []


def test_an_anonymous_summary_tells_paper_followers_without_naming_the_author():
    ada, carol, bob = quiet(), quiet(), quiet()
    paper = make_paper()
    follows.follow(ada, "paper", paper.pk)
    follows.follow(carol, "user", bob.pk)
    make_summary(bob, paper, anonymous=True)
    found = Notification.objects.get(recipient=ada)
    assert found.actor_id is None
    item = notifications.describe(found)
    assert item.actor_name == "Anonymous" and bob.shown_name not in item.headline
    assert kinds_for(carol) == []


def test_a_summary_held_for_review_notifies_when_a_moderator_restores_it(settings: Any):
    settings.HOLD_FIRST_POSTS = 1
    ada, bob = quiet(), quiet()
    moderator = quiet(is_staff=True)
    paper = make_paper()
    follows.follow(ada, "paper", paper.pk)
    summary = make_summary(bob, paper)
    assert summary.is_hidden and kinds_for(ada) == []
    moderation.act(moderator, "restore", "summary", summary.pk, "Fine.")
    moderation.act(moderator, "lock", "summary", summary.pk, "Heated.")
    assert kinds_for(ada) == [Kind.PAPER_SUMMARY]


def test_notifications_about_hidden_private_or_deleted_summaries_do_not_show():
    ada, bob = quiet(), quiet()
    moderator = quiet(is_staff=True)
    paper = make_paper()
    follows.follow(ada, "paper", paper.pk)
    summary = make_summary(bob, paper, "text")
    assert notifications.unread_count(ada) == 1
    moderation.act(moderator, "hide", "summary", summary.pk, "Spam.")
    assert notifications.unread_count(ada) == 0 and notifications.page(ada, 1).items == []
    moderation.act(moderator, "restore", "summary", summary.pk, "Not spam.")
    assert notifications.unread_count(ada) == 1
    make_summary(bob, paper, "text", private=True)
    assert notifications.unread_count(ada) == 0
    from shortscience.services import summaries

    summaries.delete(summary.pk, bob)
    assert not Notification.objects.filter(recipient=ada).exists()


# --- Comments -----------------------------------------------------------------------------------


def test_a_comment_on_your_summary_notifies_you():
    bob, carol = quiet(), quiet()
    summary = make_summary(bob)
    comment = comments.add(carol, summary.pk, "Nice.")
    found = Notification.objects.get(recipient=bob)
    assert (found.kind, found.actor_id, found.comment_id) == (
        Kind.SUMMARY_COMMENT,
        carol.pk,
        comment.pk,
    )
    assert notifications.describe(found).path.endswith(f"#comment-{comment.pk}")


def test_a_reply_to_your_comment_notifies_you_once_as_a_reply():
    bob, carol, dan = quiet(), quiet(), quiet()
    summary = make_summary(bob)
    follows.follow(carol, "summary", summary.pk)
    first = comments.add(carol, summary.pk, "Question?")
    comments.add(dan, summary.pk, "Answer.", parent_id=first.pk)
    assert kinds_for(carol) == [Kind.COMMENT_REPLY]
    assert kinds_for(bob) == [Kind.SUMMARY_COMMENT, Kind.SUMMARY_COMMENT]


def test_a_comment_in_a_followed_discussion_notifies_the_follower():
    bob, carol, dan = quiet(), quiet(), quiet()
    summary = make_summary(bob)
    follows.follow(dan, "summary", summary.pk)
    comments.add(carol, summary.pk, "Hello.")
    assert kinds_for(dan) == [Kind.DISCUSSION_COMMENT]


def test_commenting_on_your_own_summary_or_replying_to_yourself_notifies_you_of_nothing():
    bob = quiet()
    summary = make_summary(bob)
    first = comments.add(bob, summary.pk, "Addendum.")
    comments.add(bob, summary.pk, "And more.", parent_id=first.pk)
    assert kinds_for(bob) == []


def test_editing_a_comment_notifies_nobody():
    bob, carol = quiet(), quiet()
    summary = make_summary(bob)
    comment = comments.add(carol, summary.pk, "Nice.")
    comments.edit(carol, comment.pk, "Very nice.")
    assert kinds_for(bob) == [Kind.SUMMARY_COMMENT]


def test_a_deleted_or_hidden_comment_takes_its_notification_off_the_list():
    bob, carol = quiet(), quiet()
    moderator = quiet(is_staff=True)
    summary = make_summary(bob)
    hidden = comments.add(carol, summary.pk, "Rude.")
    deleted = comments.add(carol, summary.pk, "Oops.")
    assert notifications.unread_count(bob) == 2
    moderation.act(moderator, "hide", "comment", hidden.pk, "Rude.")
    comments.delete(carol, deleted.pk)
    assert notifications.unread_count(bob) == 0


def test_banned_people_are_not_notified():
    bob, carol = quiet(), quiet()
    paper = make_paper()
    follows.follow(carol, "paper", paper.pk)
    User.objects.filter(pk=carol.pk).update(is_active=False)
    make_summary(bob, paper)
    assert kinds_for(carol) == []


# --- Reading and marking ------------------------------------------------------------------------


def test_marking_one_and_then_all_read_clears_the_unread_count():
    bob, carol = quiet(), quiet()
    summary = make_summary(bob)
    comments.add(carol, summary.pk, "One.")
    comments.add(carol, summary.pk, "Two.")
    first = Notification.objects.filter(recipient=bob).first()
    assert first is not None
    notifications.mark_read(bob, first.pk)
    notifications.mark_read(bob, first.pk)
    assert notifications.unread_count(bob) == 1
    assert notifications.mark_all_read(bob) == 1
    assert notifications.unread_count(bob) == 0


def test_nobody_marks_someone_elses_notification():
    bob, carol = quiet(), quiet()
    comments.add(carol, make_summary(bob).pk, "One.")
    found = Notification.objects.get(recipient=bob)
    with pytest.raises(NotFound):
        notifications.mark_read(carol, found.pk)
    assert notifications.unread_count(bob) == 1


def test_the_list_is_newest_first():
    bob, carol = quiet(), quiet()
    summary = make_summary(bob)
    comments.add(carol, summary.pk, "Older.")
    newer = comments.add(carol, summary.pk, "Newer.")
    items = notifications.page(bob, 1).items
    assert items[0].path.endswith(f"#comment-{newer.pk}") and len(items) == 2


# --- Immediate e-mail ---------------------------------------------------------------------------


def test_an_immediate_mail_goes_out_after_commit_with_unsubscribe_headers(
    django_capture_on_commit_callbacks: Any,
):
    bob, carol = make_user(), quiet()
    summary = make_summary(bob)
    with django_capture_on_commit_callbacks(execute=True):
        comments.add(carol, summary.pk, "Nice.")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [bob.email]
    assert "commented on your summary" in sent.subject
    assert f"/summaries/{summary.pk}/" in sent.body
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = sent.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http") and "/notifications/unsubscribe/" in link
    assert link in sent.body
    assert isinstance(sent, mail.EmailMultiAlternatives)
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and isinstance(html, str) and link in html
    assert Notification.objects.get(recipient=bob).emailed_at is not None


def test_no_mail_is_queued_when_the_write_is_not_committed():
    bob, carol = make_user(), quiet()
    comments.add(carol, make_summary(bob).pk, "Nice.")
    assert mail.outbox == []


def test_people_who_chose_a_digest_or_no_mail_get_no_immediate_mail(
    django_capture_on_commit_callbacks: Any,
):
    daily, off, carol = make_user(email_notifications="daily"), quiet(), quiet()
    with django_capture_on_commit_callbacks(execute=True):
        comments.add(carol, make_summary(daily).pk, "Nice.")
        comments.add(carol, make_summary(off).pk, "Nice.")
    assert mail.outbox == []


def test_the_unsubscribe_link_works_without_signing_in(django_capture_on_commit_callbacks: Any):
    bob, carol = make_user(), quiet()
    with django_capture_on_commit_callbacks(execute=True):
        comments.add(carol, make_summary(bob).pk, "Nice.")
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    client = Client(enforce_csrf_checks=True)
    shown = client.get(f"/{path}")
    assert shown.status_code == 200 and b"<form" in shown.content
    bob.refresh_from_db()
    assert bob.email_notifications == "immediate"
    # What a mail client's one-click POST (RFC 8058) sends: no cookie, no CSRF token.
    done = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    bob.refresh_from_db()
    assert bob.email_notifications == "off"


def test_a_forged_unsubscribe_token_is_refused():
    bob = make_user()
    token = notification_emails.unsubscribe_token(bob)
    with pytest.raises(NotFound):
        notification_emails.unsubscribe(token[:-2] + "xx")
    assert Client().post(f"/notifications/unsubscribe/{token}x/").status_code == 404
    bob.refresh_from_db()
    assert bob.email_notifications == "immediate"


def test_a_failed_mail_is_logged_and_retried(
    settings: Any, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
):
    from huey.contrib.djhuey import HUEY

    settings.EMAIL_BACKEND = "tests.services.test_notifications.FailingBackend"
    bob, carol = make_user(), quiet()
    HUEY.flush()
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        comments.add(carol, make_summary(bob).pk, "Nice.")
    found = Notification.objects.get(recipient=bob)
    assert f"Could not e-mail notification {found.pk}" in caplog.text
    assert found.emailed_at is None
    retries = HUEY.scheduled()
    assert len(retries) == 1 and retries[0].retries == 2
    assert notification_emails.send_notification_email.retries == 3
    HUEY.flush()


class FailingBackend:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("the mail server is down")


# --- Daily digest -------------------------------------------------------------------------------


def test_the_daily_digest_sends_one_mail_with_every_unmailed_notification():
    daily, carol = make_user(email_notifications="daily"), quiet()
    summary = make_summary(daily)
    comments.add(carol, summary.pk, "One.")
    comments.add(carol, summary.pk, "Two.")
    immediate = make_user()
    comments.add(carol, make_summary(immediate).pk, "Not in a digest.")
    assert notification_emails.send_daily_digests.call_local() == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [daily.email] and "2 new notifications" in sent.subject
    assert sent.body.count("commented on your summary") == 2
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not Notification.objects.filter(recipient=daily, emailed_at__isnull=True).exists()
    assert notification_emails.send_daily_digests.call_local() == 0
    assert len(mail.outbox) == 1


def test_the_digest_leaves_out_what_is_no_longer_visible():
    daily, carol = make_user(email_notifications="daily"), quiet()
    comment = comments.add(carol, make_summary(daily).pk, "Gone soon.")
    comments.delete(carol, comment.pk)
    assert notification_emails.send_daily_digests.call_local() == 0
    assert mail.outbox == []


def test_changing_the_choice_never_mails_old_notifications():
    bob, carol = quiet(), quiet()
    comments.add(carol, make_summary(bob).pk, "While mail was off.")
    notification_emails.set_choice(bob, "daily")
    assert notification_emails.send_daily_digests.call_local() == 0


def test_the_digest_task_runs_once_a_day():
    task = notification_emails.send_daily_digests
    assert task.task_class.validate_datetime is not None  # a periodic task
    from datetime import datetime

    hits = [
        task.task_class().validate_datetime(datetime(2024, 1, 1, hour, minute))
        for hour in range(24)
        for minute in range(60)
    ]
    assert sum(hits) == 1


# --- Mentions and blocks (docs/notifications.md, "What notifies whom") ---------------------


def _mentions(person):
    return list(
        Notification.objects.filter(recipient=person, kind=Notification.Kind.COMMENT_MENTION)
    )


def test_a_mention_notifies_the_person_named_once_and_says_who():
    ada, writer = make_user("ada"), make_user("writer", display_name="Wri Ter")
    summary = make_summary(make_user())
    comment = comments.add(writer, summary.pk, "Ask @ada, @ada knows")
    (note,) = _mentions(ada)
    assert note.comment_id == comment.pk
    assert notifications.describe(note).headline.startswith("Wri Ter mentioned you in a comment")


def test_mentioning_yourself_tells_nobody_and_a_reply_stays_a_reply():
    ada, bob = make_user("ada"), make_user("bob")
    summary = make_summary(make_user())
    top = comments.add(ada, summary.pk, "I am @ada")
    assert _mentions(ada) == []
    comments.add(bob, summary.pk, "@ada yes", top.pk)
    kinds = Notification.objects.filter(recipient=ada).values_list("kind", flat=True)
    assert list(kinds) == [Notification.Kind.COMMENT_REPLY]


def test_an_edit_tells_only_the_people_it_adds():
    ada, bob, writer = make_user("ada"), make_user("bob"), make_user()
    summary = make_summary(make_user())
    comment = comments.add(writer, summary.pk, "cc @ada")
    comments.edit(writer, comment.pk, "cc @ada @bob")
    comments.edit(writer, comment.pk, "cc @bob")
    comments.edit(writer, comment.pk, "cc @ada @bob again")
    assert len(_mentions(ada)) == 1 and len(_mentions(bob)) == 1


def test_a_comment_notifies_at_most_ten_mentioned_people():
    people = [make_user(f"p{i}") for i in range(12)]
    summary = make_summary(make_user())
    text = " ".join(f"@{p.username}" for p in people)
    comment = comments.add(make_user(), summary.pk, text)
    assert Notification.objects.filter(comment=comment).count() - 1 == notifications.MAX_MENTIONS


def test_a_held_comment_mentions_nobody_until_a_moderator_restores_it():
    from shortscience.services import moderation, standing

    ada, writer = make_user("ada"), make_user()
    summary = make_summary(make_user())
    comment = comments.add(writer, summary.pk, "@ada look")
    _mentions(ada)[0].delete()
    standing.hold_comment_for_review(comment)
    comment.refresh_from_db()
    comments.edit(writer, comment.pk, "@ada look again")
    assert _mentions(ada) == []
    moderator = make_user()
    moderator.is_staff = True
    moderator.save()
    moderation.act(moderator, "restore", "comment", comment.pk, "fine")
    assert len(_mentions(ada)) == 1


def test_blocking_a_person_silences_their_replies_and_mentions():
    from shortscience.services import blocks

    ada, pest = make_user("ada"), make_user("pest")
    summary = make_summary(make_user())
    top = comments.add(ada, summary.pk, "my point")
    blocks.block(ada, "pest")
    comments.add(pest, summary.pk, "@ada wrong", top.pk)
    comments.add(pest, summary.pk, "hey @ada")
    assert not Notification.objects.filter(recipient=ada).exists()
    blocks.unblock(ada, "pest")
    comments.add(pest, summary.pk, "hey again @ada")
    assert len(_mentions(ada)) == 1


def test_the_anonymous_authors_mention_names_nobody_and_ignores_blocks():
    from shortscience.services import blocks

    ada, writer = make_user("ada"), make_user("hiddenwriter", display_name="Hidden")
    summary = make_summary(writer, anonymous=True)
    blocks.block(ada, "hiddenwriter")
    comments.add(writer, summary.pk, "thanks @ada")
    (note,) = _mentions(ada)
    assert note.actor_id is None
    headline = notifications.describe(note).headline
    assert headline.startswith("The author (anonymous) mentioned you")
    assert "Hidden" not in headline and "hiddenwriter" not in headline


def test_a_notification_stored_before_the_summary_turned_anonymous_names_nobody_now():
    writer, reader = make_user("w", display_name="Named Writer"), make_user()
    paper = make_paper()
    summary = make_summary(writer, paper)
    top = comments.add(reader, summary.pk, "question")
    comments.add(writer, summary.pk, "answer", top.pk)
    make_summary(writer, paper, anonymous=True)
    (note,) = notifications.visible_for(reader)
    assert notifications.describe(note).headline.startswith("The author (anonymous) replied")


def test_a_mention_is_mailed_when_the_person_asked_for_immediate_mail(
    django_capture_on_commit_callbacks,
):
    make_user("ada", email_notifications="immediate")
    make_user("quiet", email_notifications="off")
    summary = make_summary(make_user(email_notifications="off"))
    with django_capture_on_commit_callbacks(execute=True):
        comments.add(make_user(display_name="Poster"), summary.pk, "@ada and @quiet")
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert "Poster mentioned you in a comment" in mail.outbox[0].subject


def test_deleting_a_comment_without_mentions_asks_nothing_more(django_assert_num_queries):
    writer = make_user()
    comment = comments.add(writer, make_summary().pk, "plain")
    with django_assert_num_queries(0):
        assert notifications.comment_mentions(comment) == []


# --- Followed venues, categories and searches --------------------------------------------------


def test_a_new_public_summary_notifies_followers_of_its_venue_category_and_matching_searches():
    venue = Venue.objects.create(key="ICML", name="ICML")
    paper = make_paper("Attention is all you need", venue=venue, categories=["cs.CL", "cs.LG"])
    by_venue, by_category, by_search, no_match, writer = (quiet() for _ in range(5))
    follows.follow(by_venue, "venue", venue.pk)
    follows.follow(by_category, "category", "cs.LG")
    follows.follow(by_search, "search", "attention NEED")
    follows.follow(no_match, "search", "attention convolution")
    make_summary(writer, paper)
    assert kinds_for(by_venue) == [Kind.VENUE_SUMMARY]
    assert kinds_for(by_category) == [Kind.CATEGORY_SUMMARY]
    assert kinds_for(by_search) == [Kind.SEARCH_SUMMARY]
    assert kinds_for(no_match) == []
    headline = notifications.describe(Notification.objects.get(recipient=by_search)).headline
    assert headline.startswith(writer.shown_name) and "found by your search" in headline


def test_the_most_specific_follow_wins_and_one_summary_tells_each_person_once():
    venue = Venue.objects.create(key="ICLR", name="ICLR")
    paper = make_paper("Deep things", venue=venue, categories=["cs.LG"])
    ada = quiet()
    follows.follow(ada, "venue", venue.pk)
    follows.follow(ada, "category", "cs.LG")
    follows.follow(ada, "search", "deep")
    follows.follow(ada, "paper", paper.pk)
    summary = make_summary(quiet(), paper)
    assert kinds_for(ada) == [Kind.PAPER_SUMMARY]
    follows.unfollow(ada, "paper", paper.pk)
    other = make_summary(quiet(), paper)
    assert kinds_for(ada) == [Kind.PAPER_SUMMARY, Kind.VENUE_SUMMARY]
    assert Notification.objects.filter(recipient=ada, summary=other).count() == 1
    assert summary.pk != other.pk


def test_anonymous_private_and_draft_summaries_never_reveal_their_author_to_place_followers():
    paper = make_paper("Anonymous things", categories=["cs.LG"])
    ada, writer = quiet(), quiet()
    follows.follow(ada, "category", "cs.LG")
    make_summary(writer, paper, private=True)
    make_summary(quiet(), paper, publish=False)
    assert kinds_for(ada) == []
    make_summary(quiet(), paper, anonymous=True)
    found = Notification.objects.get(recipient=ada)
    assert found.actor_id is None
    item = notifications.describe(found)
    assert item.actor_name == "Anonymous" and item.headline.startswith("Anonymous ")


def test_matching_followed_searches_costs_one_query_whatever_their_number(
    django_assert_max_num_queries: Any, monkeypatch: pytest.MonkeyPatch
):
    paper = make_paper("Graph neural networks", categories=["cs.LG"])
    people = [quiet() for _ in range(6)]
    for n, person in enumerate(people):
        follows.follow(person, "search", "graph networks" if n % 2 else f"unrelated{n}")
    summary = make_summary(quiet(), paper, publish=False)
    summary = Summary.objects.select_related("paper").get(pk=summary.pk)
    with django_assert_max_num_queries(1):
        found = notifications._search_followers(summary.paper)
    assert sorted(found) == sorted(p.pk for n, p in enumerate(people) if n % 2)
    monkeypatch.setattr(notifications, "MAX_SEARCH_CANDIDATES", 1)
    assert len(notifications._search_followers(summary.paper)) == 1
