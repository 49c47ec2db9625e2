"""Comments on summaries, replies one level deep; a deleted comment stays as a tombstone."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shortscience.models.summaries import Summary


class Comment(models.Model):
    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    markdown = models.TextField()
    html = models.TextField()
    renderer_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False, help_text="Hidden by a moderator")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["summary", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk} on summary {self.summary_id}"

    @property
    def is_deleted(self) -> bool:
        """Deleted by its author or hidden by a moderator: shown only as a tombstone."""
        return self.deleted_at is not None or self.is_hidden
