"""The search index: one row per paper, summary and comment that search can find.

Rows are derived data, rebuilt by `manage.py reindex` and kept in step by shortscience.search
through services/events.py; nothing else writes them. Ids of papers, summaries, comments and
people are plain integers rather than foreign keys so that deleting content never cascades
through this table (events remove the rows instead). The full-text part is dialect-specific and
created by migration 0006 outside the model: an FTS5 table on SQLite, a tsvector column with a
GIN index on PostgreSQL.
"""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    class Kind(models.TextChoices):
        PAPER = "paper", "Paper"
        SUMMARY = "summary", "Summary"
        COMMENT = "comment", "Comment"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    paper_id = models.BigIntegerField(db_index=True)
    summary_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    comment_id = models.BigIntegerField(null=True, blank=True)
    # Who wrote a summary or comment (internal, never searched or shown; for reindexing people).
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    title = models.TextField(blank=True)
    authors = models.TextField(blank=True, help_text="The paper's authors")
    identifiers = models.TextField(blank=True, help_text="arXiv id, DOI ... as plain words")
    people = models.TextField(blank=True, help_text="Writer's name; empty when anonymous")
    body = models.TextField(blank=True, help_text="Abstract, summary or comment source")
    venue = models.CharField(max_length=100, blank=True, help_text="Lower-cased venue key")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    author_username = models.CharField(
        max_length=150, blank=True, help_text="Lower-cased; empty when anonymous"
    )
    is_public = models.BooleanField(default=True)
    owner_id = models.BigIntegerField(
        null=True, blank=True, help_text="Author of a private or draft summary: only they find it"
    )
    score = models.IntegerField(default=0)
    date = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_one_row_per_object")
        ]
        indexes = [
            models.Index(fields=["venue", "year"], name="search_venue_year"),
            models.Index(fields=["year"], name="search_year"),
            models.Index(fields=["author_username"], name="search_username"),
            models.Index(fields=["is_public", "date"], name="search_public_date"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
