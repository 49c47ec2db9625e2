"""Verified authors: the ORCID iDs a paper's metadata lists, people's claims to have written a
paper, and the errata an author acknowledged on a comment about it (docs/accounts.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shortscience.models.comments import Comment
from shortscience.models.papers import Paper


class AuthorOrcid(models.Model):
    """An ORCID iD the paper's metadata (Crossref's `author[].ORCID`) gives one of its authors;
    looked up by iD when someone proves theirs, so the index is on `orcid`."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="author_orcids")
    orcid = models.CharField(max_length=19, help_text="0000-0002-1825-0097")
    name = models.CharField(max_length=300, blank=True, help_text="The author as listed")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "orcid"], name="author_orcid_once_per_paper")
        ]
        indexes = [models.Index(fields=["orcid"], name="author_orcid_by_id")]
        ordering = ["paper", "pk"]

    def __str__(self) -> str:
        return f"{self.orcid} on paper {self.paper_id}"


class AuthorClaim(models.Model):
    """A person's claim to be an author of a paper: approved at once when the paper's metadata
    lists the ORCID iD they proved, otherwise pending until a moderator decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a moderator"
        APPROVED = "approved", "Verified"
        REJECTED = "rejected", "Declined"

    class Source(models.TextChoices):
        METADATA = "metadata", "The paper's metadata lists their ORCID iD"
        MODERATOR = "moderator", "A moderator approved the claim"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="author_claims")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_claims"
    )
    orcid = models.CharField(max_length=19, help_text="The verified iD they claimed with")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "user"], name="one_author_claim_per_paper")
        ]
        indexes = [
            # A person's papers (their profile), and the moderators' queue of pending claims.
            models.Index(fields=["user", "status"], name="author_claim_by_user"),
            models.Index(
                fields=["created_at"],
                name="author_claim_pending",
                condition=models.Q(status="pending"),
            ),
        ]
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status} author of paper {self.paper_id}"


class Erratum(models.Model):
    """An author's answer to a comment pointing out a mistake in their paper."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        FIXED = "fixed", "Fixed"
        DISPUTED = "disputed", "Disputed"

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="erratum")
    status = models.CharField(max_length=10, choices=Status.choices)
    note = models.CharField(max_length=200, blank=True, help_text="e.g. fixed in v2")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "errata"

    def __str__(self) -> str:
        return f"{self.status} erratum on comment {self.comment_id}"
