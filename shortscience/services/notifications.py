"""Notifications: what events on followed things (and on your own summaries and comments) tell
you, the list of them with its unread count, and marking them read.

A summary notifies only when it becomes public (never for drafts, private or held summaries),
and each person hears about one summary once, however often it is unpublished and published
again. Each event gives each recipient at most one notification (the most specific kind wins),
never to the person who acted. An anonymous summary never sets `actor` and never notifies the
author's followers, since either would reveal who wrote it.

Notifications are never deleted when their subject becomes invisible; the read side filters
them out, so a summary that is hidden and later restored brings its notifications back. The
e-mail side lives in services/notification_emails.py.

A comment by the author of an anonymous summary under it (`Comment.by_anonymous_author`) never
sets `actor` either and reads "The author (anonymous)"; the rule is asked again when a
notification is shown, so one stored before the summary became anonymous names nobody. A person
mentioned as @username in a shown comment under a public summary hears of it once per comment,
at most MAX_MENTIONS people per comment, when it is posted, edited to add them, or restored by a
moderator. Nobody hears of the comments of a person they blocked (`Block`), except of one shown
as the author (anonymous), since leaving that out would tell them who wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from shortscience.models import (
    Block,
    Comment,
    Follow,
    Notification,
    Paper,
    Summary,
    SummaryRequest,
    User,
)
from shortscience.models.summaries import public_q
from shortscience.rendering.mentions import mentioned_in
from shortscience.services import text
from shortscience.services.errors import NotFound
from shortscience.services.links import absolute_url

Kind = Notification.Kind
SUMMARY_KINDS = (
    Kind.PAPER_SUMMARY,
    Kind.USER_SUMMARY,
    Kind.WANTED_SUMMARY,
    Kind.VENUE_SUMMARY,
    Kind.CATEGORY_SUMMARY,
    Kind.SEARCH_SUMMARY,
)
# When one summary concerns a person in several ways, the most specific kind wins (lowest).
_SUMMARY_RANK = {
    Kind.WANTED_SUMMARY: 0,
    Kind.PAPER_SUMMARY: 1,
    Kind.USER_SUMMARY: 2,
    Kind.VENUE_SUMMARY: 3,
    Kind.CATEGORY_SUMMARY: 4,
    Kind.SEARCH_SUMMARY: 5,
}
#: A paper is matched against followed searches by at most this many of its words ...
MAX_PAPER_WORDS = 1000
#: ... and at most this many followed searches are looked at for one summary.
MAX_SEARCH_CANDIDATES = 1000
#: The first public summary of a paper tells at most this many of its requesters.
MAX_WANTED_NOTIFIED = 500
#: A comment notifies at most this many mentioned people, however often it is edited.
MAX_MENTIONS = 10
ANONYMOUS_AUTHOR = "The author (anonymous)"


# --- Events -> rows -----------------------------------------------------------------------------


def summary_saved(summary: Summary, *, was_public: bool) -> list[int]:
    """Tell followers of the paper and of the author about a summary that just became public.

    Each of these event functions returns the notifications to mail now (their recipients
    asked for immediate mail); services/events.py hands them to notification_emails."""
    if was_public or not summary.is_public:
        return []
    paper = summary.paper
    by_paper = Q(paper_id=summary.paper_id)
    # Following an anonymous summary's author must not reveal that they wrote it.
    by_author = Q(pk__in=[]) if summary.is_anonymous else Q(followed_user_id=summary.author_id)
    by_place = Q(venue_id=paper.venue_id) if paper.venue_id is not None else Q(pk__in=[])
    paper_categories = (
        [c for c in paper.categories if isinstance(c, str)]
        if isinstance(paper.categories, list)
        else []
    )
    if paper_categories:
        by_place |= Q(category__in=paper_categories)
    recipients: dict[int, str] = {}

    def offer(person_id: int, kind: str) -> None:
        held = recipients.get(person_id)
        if held is None or _SUMMARY_RANK[Kind(kind)] < _SUMMARY_RANK[Kind(held)]:
            recipients[person_id] = kind

    for follower_id, paper_id, user_id, venue_id in Follow.objects.filter(
        by_paper | by_author | by_place
    ).values_list("follower_id", "paper_id", "followed_user_id", "venue_id"):
        if paper_id is not None:
            offer(follower_id, Kind.PAPER_SUMMARY)
        elif user_id is not None:
            offer(follower_id, Kind.USER_SUMMARY)
        elif venue_id is not None:
            offer(follower_id, Kind.VENUE_SUMMARY)
        else:
            offer(follower_id, Kind.CATEGORY_SUMMARY)
    for follower_id in _search_followers(paper):
        offer(follower_id, Kind.SEARCH_SUMMARY)
    # Readers who asked for a summary hear of the paper's first public one (most specific).
    if (
        not Summary.objects.public()
        .filter(paper_id=summary.paper_id)
        .exclude(pk=summary.pk)
        .exists()
    ):
        for requester_id in (
            SummaryRequest.objects.filter(paper_id=summary.paper_id)
            .order_by("created_at", "pk")
            .values_list("requester_id", flat=True)[:MAX_WANTED_NOTIFIED]
        ):
            offer(requester_id, Kind.WANTED_SUMMARY)
    # Once per person per summary: publish, unpublish, publish again tells nobody twice.
    told = Notification.objects.filter(summary=summary, kind__in=SUMMARY_KINDS).values_list(
        "recipient_id", flat=True
    )
    for recipient_id in told:
        recipients.pop(recipient_id, None)
    # An anonymous summary has no actor, but its author still never hears of it.
    recipients.pop(summary.author_id, None)
    return _notify(
        recipients,
        actor_id=None if summary.is_anonymous else summary.author_id,
        summary=summary,
        comment=None,
    )


def _search_followers(paper: Paper) -> list[int]:
    """The people whose followed search the paper matches: every word of the search is among
    the words of its title, authors, abstract and categories (services/text.words). Bounded:
    one indexed query for the searches whose key word (their longest) is one of the paper's
    first MAX_PAPER_WORDS words, at most MAX_SEARCH_CANDIDATES of them, then a set test each."""
    authors = (
        [a for a in paper.authors if isinstance(a, str)] if isinstance(paper.authors, list) else []
    )
    found = (
        [c for c in paper.categories if isinstance(c, str)]
        if isinstance(paper.categories, list)
        else []
    )
    paper_words = text.words(" ".join([paper.title, *authors, paper.abstract, *found]))
    paper_words = paper_words[:MAX_PAPER_WORDS]
    if not paper_words:
        return []
    have = set(paper_words)
    candidates = (
        Follow.objects.filter(query_key__in=paper_words)
        .exclude(query_key="")
        .order_by("pk")
        .values_list("follower_id", "query_words")[:MAX_SEARCH_CANDIDATES]
    )
    return [
        follower_id
        for follower_id, query_words in candidates
        if isinstance(query_words, list) and query_words and have.issuperset(query_words)
    ]


def summary_moderated(summary_id: int) -> list[int]:
    """A summary held for review and then restored becomes public only now. One announced
    before (hidden and restored, or its comments locked) is not announced again."""
    summary = Summary.objects.public().filter(pk=summary_id).first()
    announced = Notification.objects.filter(summary_id=summary_id, kind__in=SUMMARY_KINDS)
    if summary is not None and not announced.exists():
        return summary_saved(summary, was_public=False)
    return []


def comment_saved(comment: Comment, *, created: bool) -> list[int]:
    """Tell the summary's author, the author of the comment replied to and the discussion's
    followers about a new comment (edits tell only the people newly mentioned)."""
    if comment.is_hidden or comment.deleted_at is not None:  # held for review: nobody yet
        return []
    summary = comment.summary
    if not summary.is_public:
        return []
    if not created:
        return comment_mentions(comment)
    recipients: dict[int, str] = {}
    for follower_id in Follow.objects.filter(summary_id=summary.pk).values_list(
        "follower_id", flat=True
    ):
        recipients[follower_id] = Kind.DISCUSSION_COMMENT
    recipients[summary.author_id] = Kind.SUMMARY_COMMENT
    if comment.parent_id is not None:
        parent_author = (
            Comment.objects.filter(pk=comment.parent_id, deleted_at__isnull=True)
            .values_list("author_id", flat=True)
            .first()
        )
        if parent_author is not None:
            recipients[parent_author] = Kind.COMMENT_REPLY
    mentioned = _mentioned(comment)
    for person_id in mentioned:
        # Being named is more specific than following; a reply to you stays a reply.
        if recipients.get(person_id) != Kind.COMMENT_REPLY:
            recipients[person_id] = Kind.COMMENT_MENTION
    return _notify_comment(comment, recipients)


def comment_mentions(comment: Comment) -> list[int]:
    """Tell the people a shown comment mentions who have not heard of it yet (an edit that adds
    a name, a held comment a moderator restored)."""
    if comment.is_hidden or comment.deleted_at is not None or not mentioned_in(comment.html):
        return []  # asked on every delete, hide and restore: no query when nobody is named
    if not comment.summary.is_public:
        return []
    recipients = {person_id: str(Kind.COMMENT_MENTION) for person_id in _mentioned(comment)}
    return _notify_comment(comment, recipients)


def _mentioned(comment: Comment) -> list[int]:
    """The people the comment links as @mentions who have not been told of it yet, within
    MAX_MENTIONS per comment (two queries; none without a mention)."""
    names = mentioned_in(comment.html)
    if not names:
        return []
    told = set(Notification.objects.filter(comment=comment).values_list("recipient_id", flat=True))
    mentions_told = Notification.objects.filter(comment=comment, kind=Kind.COMMENT_MENTION).count()
    room = MAX_MENTIONS - mentions_told
    ids = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
    told.add(comment.author_id)  # naming yourself takes none of the places
    found = [ids[name] for name in names if name in ids and ids[name] not in told]
    return found[: max(room, 0)]


def _notify_comment(comment: Comment, recipients: dict[int, str]) -> list[int]:
    """Never the writer; nobody who blocked them; no actor for the author (anonymous)."""
    recipients.pop(comment.author_id, None)
    anonymous = comment.by_anonymous_author
    if recipients and not anonymous:
        blocked = Block.objects.filter(
            blocked_id=comment.author_id, blocker_id__in=list(recipients)
        ).values_list("blocker_id", flat=True)
        for blocker_id in blocked:
            recipients.pop(blocker_id, None)
    return _notify(
        recipients,
        actor_id=None if anonymous else comment.author_id,
        summary=comment.summary,
        comment=comment,
    )


def _notify(
    recipients: dict[int, str], *, actor_id: int | None, summary: Summary, comment: Comment | None
) -> list[int]:
    """Store the notifications; the ids of those to mail at once."""
    if actor_id is not None:
        recipients.pop(actor_id, None)
    if not recipients:
        return []
    people = dict(
        User.objects.filter(pk__in=list(recipients), is_active=True).values_list(
            "pk", "email_notifications"
        )
    )
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=recipient_id,
                kind=recipients[recipient_id],
                actor_id=actor_id,
                paper_id=summary.paper_id,
                summary=summary,
                comment=comment,
            )
            for recipient_id in sorted(people)
        ]
    )
    return [
        row.pk
        for row in rows
        if people[row.recipient_id] == User.EmailNotifications.IMMEDIATE and row.pk is not None
    ]


# --- Reading ------------------------------------------------------------------------------------


def visible_q() -> Q:
    """Notifications whose summary is still public and whose comment still shows."""
    return public_q("summary__") & (
        Q(comment__isnull=True) | Q(comment__deleted_at__isnull=True, comment__is_hidden=False)
    )


def visible_for_all() -> QuerySet[Notification]:
    return Notification.objects.filter(visible_q()).select_related(
        "actor", "paper", "summary", "comment"
    )


def visible_for(user: User) -> QuerySet[Notification]:
    return visible_for_all().filter(recipient=user).order_by("-created_at", "-pk")


def unread(user: User | int) -> QuerySet[Notification]:
    """A person's (or a person id's) unread notifications that still show."""
    return Notification.objects.filter(visible_q(), recipient=user, read_at__isnull=True)


def unread_count(user: User) -> int:
    return unread(user).count()


@dataclass(frozen=True)
class Item:
    """One notification as pages, mails and the API show it."""

    pk: int
    kind: str
    headline: str
    path: str
    created_at: datetime
    unread: bool
    actor_name: str

    @property
    def url(self) -> str:
        """The absolute URL, for mail."""
        return absolute_url(self.path)


def _by_anonymous_author(notification: Notification) -> bool:
    """`Comment.by_anonymous_author`, asked through the notification's own summary (no query)."""
    comment, summary = notification.comment, notification.summary
    if comment is None or summary is None:
        return False
    return comment.as_summary_author or (
        summary.is_anonymous and summary.author_id == comment.author_id
    )


def actor_name(notification: Notification) -> str:
    if _by_anonymous_author(notification):
        return ANONYMOUS_AUTHOR
    if notification.actor is None:
        # Summary notifications have no actor exactly when the summary is anonymous.
        return "Anonymous" if notification.comment_id is None else "Someone"
    return notification.actor.shown_name


def describe(notification: Notification) -> Item:
    who = actor_name(notification)
    title = notification.paper.title if notification.paper else "a paper"
    headlines: dict[str, str] = {
        Kind.PAPER_SUMMARY: f"{who} published a summary of “{title}”",
        Kind.USER_SUMMARY: f"{who} published a summary of “{title}”",
        Kind.SUMMARY_COMMENT: f"{who} commented on your summary of “{title}”",
        Kind.COMMENT_REPLY: f"{who} replied to your comment on a summary of “{title}”",
        Kind.DISCUSSION_COMMENT: f"{who} commented on a summary you follow of “{title}”",
        Kind.WANTED_SUMMARY: f"{who} published the summary you asked for of “{title}”",
        Kind.VENUE_SUMMARY: f"{who} published a summary of “{title}”, in a venue you follow",
        Kind.CATEGORY_SUMMARY: f"{who} published a summary of “{title}”, in a category you follow",
        Kind.SEARCH_SUMMARY: f"{who} published a summary of “{title}”, found by your search",
        Kind.COMMENT_MENTION: f"{who} mentioned you in a comment on a summary of “{title}”",
    }
    path = reverse("summary", args=[notification.summary_id])
    if notification.comment_id is not None:
        path += f"#comment-{notification.comment_id}"
    return Item(
        pk=notification.pk,
        kind=notification.kind,
        headline=headlines.get(notification.kind, who),
        path=path,
        created_at=notification.created_at,
        unread=notification.read_at is None,
        actor_name=who,
    )


@dataclass(frozen=True)
class NotificationsPage:
    items: list[Item]
    page: Page[Notification]
    unread: int


def page(user: User, number: str | int | None) -> NotificationsPage:
    """One page of the list, newest first: three queries whatever the page holds."""
    found = Paginator(visible_for(user), settings.PAGE_SIZE).get_page(number)
    return NotificationsPage(
        items=[describe(n) for n in found], page=found, unread=unread_count(user)
    )


# --- Marking read -------------------------------------------------------------------------------


def mark_read(user: User, notification_id: int) -> None:
    mine = Notification.objects.filter(recipient=user, pk=notification_id)
    if not mine.filter(read_at__isnull=True).update(read_at=timezone.now()) and not mine.exists():
        raise NotFound("There is no such notification.")


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
