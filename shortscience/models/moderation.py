"""Flags raised by members and the public log of what moderators did about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        OFF_TOPIC = "off-topic", "Off-topic"
        ABUSIVE = "abusive", "Abusive"
        PLAGIARISM = "plagiarism", "Plagiarism"
        OTHER = "other", "Other"
        DUPLICATE = "duplicate", "Same work as another paper"  # only on papers

    class Target(models.TextChoices):
        SUMMARY = "summary", "Summary"
        COMMENT = "comment", "Comment"
        USER = "user", "User"
        PAPER = "paper", "Paper"  # reported as a duplicate of `duplicate_of`

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags_raised"
    )
    target_type = models.CharField(max_length=10, choices=Target.choices)
    target_id = models.BigIntegerField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    text = models.TextField(blank=True)
    # A paper reported as the same work as this one (target_type "paper", reason "duplicate").
    duplicate_of = models.ForeignKey(
        "shortscience.Paper", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One flag per person and thing; a duplicate report is one per person and pair, so
            # "A same as B" and "A same as C" by one person are two rows of the queue.
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"],
                condition=~models.Q(reason="duplicate"),
                name="one_flag_per_reporter",
            ),
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id", "duplicate_of"],
                condition=models.Q(reason="duplicate"),
                name="one_duplicate_report_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["target_type", "target_id", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.reason} flag on {self.target_type} {self.target_id}"


class ModerationAction(models.Model):
    """One line of the public moderation log (who, what, why); hidden text is never copied."""

    class Action(models.TextChoices):
        HIDE = "hide", "Hid"
        RESTORE = "restore", "Restored"
        KEEP = "keep", "Reviewed and kept"
        LOCK = "lock", "Locked comments on"
        UNLOCK = "unlock", "Unlocked comments on"
        MERGE = "merge", "Merged"
        SUSPEND = "suspend", "Suspended"
        BAN = "ban", "Banned"
        UNBAN = "unban", "Reinstated"
        APPROVE = "approve", "Approved"  # an author claim (services/authors.py)
        DECLINE = "decline", "Declined"

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    target_type = models.CharField(max_length=10)
    target_id = models.BigIntegerField()
    target_label = models.CharField(max_length=300, blank=True, help_text="Safe public label")
    reason = models.TextField()
    # Done by the site itself, no moderator: a merge of two papers the sources agree are one
    # work (services/works.py); the log shows "automatic (sources agree)".
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type} {self.target_id}"


class ModerationMark(models.Model):
    """A moderator hid this person's summary of `paper`, or a comment of theirs under `summary`:
    their next copy there waits for review (services/standing.py). The mark outlives the hidden
    row, so deleting it and posting again does not dodge the hide; a moderator restoring the
    hidden row, or letting a held copy through, clears it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey(
        "shortscience.Paper", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    summary = models.ForeignKey(
        "shortscience.Summary", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(paper__isnull=False, summary__isnull=True)
                | models.Q(paper__isnull=True, summary__isnull=False),
                name="moderation_mark_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "paper"],
                condition=models.Q(paper__isnull=False),
                name="one_mark_per_person_and_paper",
            ),
            models.UniqueConstraint(
                fields=["user", "summary"],
                condition=models.Q(summary__isnull=False),
                name="one_mark_per_person_and_discussion",
            ),
        ]

    def __str__(self) -> str:
        where = f"paper {self.paper_id}" if self.paper_id else f"summary {self.summary_id}"
        return f"moderation mark on user {self.user_id} at {where}"
