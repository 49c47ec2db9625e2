"""Summary requests: a signed-in reader asking for a summary of a paper ("I want a summary of
this"), and the maintained count of them per paper that the lists read instead of counting."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SummaryRequest(models.Model):
    """One per person per paper; withdrawing deletes the row."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="summary_requests"
    )
    paper = models.ForeignKey(
        "shortscience.Paper", on_delete=models.CASCADE, related_name="summary_requests"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["requester", "paper"], name="summary_request_once")
        ]

    def __str__(self) -> str:
        return f"Request {self.requester_id} -> {self.paper_id}"


class WantedCount(models.Model):
    """Derived, kept by services/wanted.py in the same transaction as each request: how many
    readers want a summary of the paper. The index serves the "most wanted" order."""

    paper = models.OneToOneField(
        "shortscience.Paper", primary_key=True, on_delete=models.CASCADE, related_name="wanted"
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-count", "paper"], name="wanted_count_order")]

    def __str__(self) -> str:
        return f"{self.count} want {self.paper_id}"
