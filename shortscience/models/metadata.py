"""Local copies of what outside sources answered, and checkpoints of bulk imports."""

from __future__ import annotations

from django.db import models


class RawResponse(models.Model):
    """A raw response body from arXiv, Crossref, DBLP, OpenReview or Semantic Scholar, kept so
    that pages never wait on them twice and still work when they are down."""

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the request URL")
    url = models.TextField()
    body = models.BinaryField()
    fetched_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.url


class ImportCheckpoint(models.Model):
    """How far a bulk import got in one file, so an interrupted run resumes there."""

    name = models.CharField(max_length=300, unique=True, help_text="command + file identity")
    position = models.BigIntegerField(default=0, help_text="records done")
    finished = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"
