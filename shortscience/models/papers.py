"""Papers, the identifiers that name them (arXiv id, DOI, DBLP key, legacy key...) and venues."""

from __future__ import annotations

from django.db import models
from django.urls import reverse


class Venue(models.Model):
    key = models.CharField(
        max_length=100, unique=True, help_text="Short name used in URLs: NeurIPS"
    )
    name = models.CharField(max_length=300)
    url = models.URLField(blank=True)
    description_markdown = models.TextField(blank=True)
    description_html = models.TextField(blank=True)
    # Derived, kept by services/counts.py (each write's event, and a nightly recount): the venue
    # pages show them without counting rows whose number grows with the data.
    paper_count = models.PositiveIntegerField(default=0, editable=False)
    summary_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Public summaries of its papers"
    )
    years = models.JSONField(
        default=list, blank=True, editable=False, help_text="Years of its papers, newest first"
    )

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def get_absolute_url(self) -> str:
        return reverse("venue", args=[self.key])


class Paper(models.Model):
    title = models.CharField(max_length=1000)
    authors = models.JSONField(default=list, blank=True, help_text="Author names, in order")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="papers"
    )
    abstract = models.TextField(blank=True)
    url = models.URLField(max_length=1000, blank=True)
    categories = models.JSONField(default=list, blank=True, help_text="arXiv categories")
    # The arXiv archive group of the first category (cs, stat, physics, q-bio...), for filtering.
    field = models.CharField(max_length=20, blank=True, db_index=True)
    metadata_source = models.CharField(max_length=20, blank=True)
    metadata_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived, kept by services/counts.py: its public summaries.
    summary_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        # The venue page reads one venue's papers newest year first, then by title.
        indexes = [
            models.Index(fields=["venue", "-year", "title", "id"], name="paper_venue_year_title"),
            models.Index(fields=["title"]),
            # A venue's public summaries are summed over its summarised papers only (few of them).
            models.Index(
                fields=["venue", "summary_count"],
                name="paper_venue_summarised",
                condition=models.Q(summary_count__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("paper", args=[self.pk])

    @property
    def authors_text(self) -> str:
        return ", ".join(self.authors)


class PaperIdentifier(models.Model):
    class Scheme(models.TextChoices):
        ARXIV = "arxiv", "arXiv"
        DOI = "doi", "DOI"
        DBLP = "dblp", "DBLP"
        OPENREVIEW = "openreview", "OpenReview"
        LEGACY = "legacy", "ShortScience.org key"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=20, choices=Scheme.choices)
    value = models.CharField(
        max_length=300, help_text="Normalised: lower-case DOI, arXiv id without version"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="identifier_unique_per_scheme")
        ]
        ordering = ["scheme", "value"]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"

    @property
    def link(self) -> str:
        if self.scheme == self.Scheme.ARXIV:
            return f"https://arxiv.org/abs/{self.value}"
        if self.scheme == self.Scheme.DOI:
            return f"https://doi.org/{self.value}"
        if self.scheme == self.Scheme.DBLP:
            return f"https://dblp.org/rec/{self.value}"
        if self.scheme == self.Scheme.OPENREVIEW:
            return f"https://openreview.net/forum?id={self.value}"
        return ""
