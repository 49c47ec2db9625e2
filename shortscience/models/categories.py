"""The arXiv categories of papers as rows (one per paper and category), with the day the paper
arrived here, so that one category's new papers are read off one index, newest day first."""

from __future__ import annotations

from django.db import models


class PaperCategory(models.Model):
    """Derived from `Paper.categories` and `Paper.created_at`, kept by services/categories.py on
    every write of papers (events.papers_written)."""

    paper = models.ForeignKey(
        "shortscience.Paper", on_delete=models.CASCADE, related_name="category_rows"
    )
    category = models.CharField(max_length=40, help_text="An arXiv category: cs.LG, hep-th")
    # The day (UTC) the paper arrived here: imports follow arXiv's announcements, so this is
    # the announcement day for papers that came from the daily import.
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "category"], name="paper_category_once")
        ]
        indexes = [
            # /new/<category>/: one category's papers, newest day first (keyset on day, id).
            models.Index(fields=["category", "-day", "-id"], name="paper_category_new"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.paper_id}"
