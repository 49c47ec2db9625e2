"""Precomputed neighbours: papers similar to a paper and summaries similar to a summary.

Written by services/similar.py (incrementally on publish, or all at once by a command) and only
read by pages, so a page never computes similarity."""

from __future__ import annotations

from django.db import models


class SimilarPaper(models.Model):
    paper = models.ForeignKey(
        "shortscience.Paper", on_delete=models.CASCADE, related_name="similar_links"
    )
    similar = models.ForeignKey("shortscience.Paper", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "similar"], name="similar_paper_once")
        ]
        ordering = ["paper", "rank"]

    def __str__(self) -> str:
        return f"{self.paper_id} ~ {self.similar_id}"


class SimilarSummary(models.Model):
    summary = models.ForeignKey(
        "shortscience.Summary", on_delete=models.CASCADE, related_name="similar_links"
    )
    similar = models.ForeignKey("shortscience.Summary", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summary", "similar"], name="similar_summary_once")
        ]
        ordering = ["summary", "rank"]

    def __str__(self) -> str:
        return f"{self.summary_id} ~ {self.similar_id}"
