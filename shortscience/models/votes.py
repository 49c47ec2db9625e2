"""Votes on summaries: one row per person per summary, +1 or -1; retracting deletes the row."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shortscience.models.summaries import Summary


class Vote(models.Model):
    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summary", "user"], name="one_vote_per_person"),
            models.CheckConstraint(
                condition=models.Q(value__in=[1, -1]), name="vote_is_up_or_down"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value:+d} on summary {self.summary_id}"
