"""Counted page views per summary and day, for the Popular tab (docs/rankings.md, "Views").

Only numbers are stored: who viewed is never known here. The visitor's hash that counts a view
once a day lives in the cache for that day alone (services/pageviews.py).
"""

from __future__ import annotations

from django.db import models

from shortscience.models.summaries import Summary


class SummaryViewDay(models.Model):
    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="view_days")
    day = models.DateField(help_text="UTC day of the views")
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summary", "day"], name="one_view_row_per_summary_day")
        ]
        # The nightly sum over the last 30 days and the pruning of older days read by day.
        indexes = [models.Index(fields=["day"], name="summary_view_day")]

    def __str__(self) -> str:
        return f"{self.views} views of summary {self.summary_id} on {self.day}"
