"""Follows (a person following a paper, another person or one summary's discussion), the
notifications that the events on what they follow produce, and blocks (a person whose mentions
and replies no longer notify you)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Follow(models.Model):
    """Exactly one of paper, followed_user and summary is set."""

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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(paper__isnull=False, followed_user__isnull=True, summary__isnull=True)
                    | Q(paper__isnull=True, followed_user__isnull=False, summary__isnull=True)
                    | Q(paper__isnull=True, followed_user__isnull=True, summary__isnull=False)
                ),
                name="follow_has_exactly_one_target",
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
        ]

    def __str__(self) -> str:
        target = self.paper_id or self.followed_user_id or self.summary_id
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
