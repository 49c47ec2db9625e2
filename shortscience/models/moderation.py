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

    class Target(models.TextChoices):
        SUMMARY = "summary", "Summary"
        COMMENT = "comment", "Comment"
        USER = "user", "User"

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags_raised"
    )
    target_type = models.CharField(max_length=10, choices=Target.choices)
    target_id = models.BigIntegerField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"], name="one_flag_per_reporter"
            )
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

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    target_type = models.CharField(max_length=10)
    target_id = models.BigIntegerField()
    target_label = models.CharField(max_length=300, blank=True, help_text="Safe public label")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type} {self.target_id}"
