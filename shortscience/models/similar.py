"""Precomputed neighbours (papers similar to a paper, summaries similar to a summary) and what
keeps them current without refitting: the last full fit's vocabulary and candidate index, one
stored vector per document, and the papers waiting for a refresh.

Written by services/similar/ (incrementally after a publish, or all at once by the nightly task
and a command) and only read by pages, so a page never computes similarity."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


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


class SimilarFit(models.Model):
    """The last full fit of one corpus: every process transforms changed documents with this
    IDF and looks for candidates in this index, so all hosts agree. Replaced
    (a new row) by each rebuild; its row lock serialises the short write phase of refreshes."""

    class Kind(models.TextChoices):
        PAPERS = "papers"
        SUMMARIES = "summaries"

    kind = models.CharField(max_length=10, choices=Kind.choices, unique=True)
    fitted_at = models.DateTimeField()
    documents = models.PositiveIntegerField()
    method = models.CharField(max_length=100, help_text="How terms were hashed and kept")
    idf = models.BinaryField(help_text="zlib of a float32 per hashed term, 0 if not kept")
    champions = models.BinaryField(help_text="npz: the heaviest documents of each term")

    def __str__(self) -> str:
        return f"{self.kind} fit of {self.documents} documents at {self.fitted_at:%Y-%m-%d %H:%M}"


class _Vector(models.Model):
    # int32 term columns then float32 weights (L2-normalised) in the fit's vocabulary.
    vector = models.BinaryField()
    # False when written by a full rebuild (the candidate index covers it), True once a refresh
    # rewrote it: processes scan those few exhaustively until the next rebuild.
    refreshed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SimilarPaperVector(_Vector):
    paper = models.OneToOneField(
        "shortscience.Paper", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["paper"], condition=Q(refreshed=True), name="similar_paper_vec_fresh"
            )
        ]

    def __str__(self) -> str:
        return f"vector of paper {self.paper_id}"


class SimilarSummaryVector(_Vector):
    summary = models.OneToOneField(
        "shortscience.Summary", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["summary"], condition=Q(refreshed=True), name="similar_summary_vec_fresh"
            )
        ]

    def __str__(self) -> str:
        return f"vector of summary {self.summary_id}"


class SimilarDirty(models.Model):
    """A paper whose public text changed and whose neighbours wait for a refresh: one row
    however many saves happen before the (delayed) refresh runs."""

    paper = models.OneToOneField(
        "shortscience.Paper", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"paper {self.paper_id} since {self.marked_at:%H:%M:%S}"
