"""Follows (a person following a paper, another person, one summary's discussion, a venue, an
arXiv category or a saved search), the
notifications that the events on what they follow produce, and blocks (a person whose mentions
and replies no longer notify you)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# A follow's possible targets; exactly one is set. Text targets are "" when unset.
_FK_TARGETS = ("paper", "followed_user", "summary", "venue")
_TEXT_TARGETS = ("category", "query")


def _only(target: str) -> Q:
    condition = Q()
    for name in _FK_TARGETS:
        condition &= Q(**{f"{name}__isnull": name != target})
    for name in _TEXT_TARGETS:
        condition &= ~Q(**{name: ""}) if name == target else Q(**{name: ""})
    return condition


def _exactly_one_target() -> Q:
    condition = Q()
    for target in (*_FK_TARGETS, *_TEXT_TARGETS):
        condition |= _only(target)
    return condition


class Follow(models.Model):
    """Exactly one of paper, followed_user, summary, venue, category and query is set."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    paper = models.ForeignKey(
        "shortscience.Paper", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    followed_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    summary = models.ForeignKey(
        "shortscience.Summary", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    venue = models.ForeignKey(
        "shortscience.Venue", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(max_length=40, blank=True, help_text="An arXiv category")
    # A saved search: the query as the reader typed it (normalised spaces), its words as
    # services/follows.py folds them, and the one word the fan-out looks candidates up by.
    query = models.CharField(max_length=200, blank=True)
    query_words = models.JSONField(default=list, blank=True)
    query_key = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_target(), name="follow_has_exactly_one_target"
            ),
            models.UniqueConstraint(
                fields=["follower", "paper"],
                condition=Q(paper__isnull=False),
                name="follow_paper_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "followed_user"],
                condition=Q(followed_user__isnull=False),
                name="follow_user_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "summary"],
                condition=Q(summary__isnull=False),
                name="follow_summary_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "venue"],
                condition=Q(venue__isnull=False),
                name="follow_venue_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "category"],
                condition=~Q(category=""),
                name="follow_category_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "query"], condition=~Q(query=""), name="follow_query_once"
            ),
        ]
        indexes = [
            # The fan-out of a new public summary: followers of its paper's categories, and
            # saved searches whose key word is one of the paper's words.
            models.Index(fields=["category"], name="follow_by_category", condition=~Q(category="")),
            models.Index(
                fields=["query_key"], name="follow_by_query_key", condition=~Q(query_key="")
            ),
        ]

    def __str__(self) -> str:
        target = (
            self.paper_id
            or self.followed_user_id
            or self.summary_id
            or self.venue_id
            or self.category
            or self.query
        )
        return f"Follow {self.follower_id} -> {target}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        PAPER_SUMMARY = "paper_summary", "New summary of a paper you follow"
        USER_SUMMARY = "user_summary", "New summary by someone you follow"
        SUMMARY_COMMENT = "summary_comment", "Comment on your summary"
        COMMENT_REPLY = "comment_reply", "Reply to your comment"
        DISCUSSION_COMMENT = "discussion_comment", "Comment in a discussion you follow"
        COMMENT_MENTION = "comment_mention", "Mention in a comment"
        WANTED_SUMMARY = "wanted_summary", "First summary of a paper you asked for"
        VENUE_SUMMARY = "venue_summary", "New summary of a paper in a venue you follow"
        CATEGORY_SUMMARY = "category_summary", "New summary of a paper in a category you follow"
        SEARCH_SUMMARY = "search_summary", "New summary of a paper matching a search you follow"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Never set for an anonymous summary: the notification must not name its author.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paper = models.ForeignKey(
        "shortscience.Paper", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    summary = models.ForeignKey(
        "shortscience.Summary", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        "shortscience.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Set by the worker that is mailing it (services/notification_emails.py): a claim older than
    # NOTIFICATIONS_EMAIL_CLAIM_SECONDS is a worker that died, and the sweep takes it over.
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["emailed_at", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Block(models.Model):
    """`blocker` no longer hears of `blocked`'s mentions and replies (docs/notifications.md)."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="block_not_yourself"
            ),
        ]

    def __str__(self) -> str:
        return f"Block {self.blocker_id} -> {self.blocked_id}"
