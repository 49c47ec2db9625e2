"""Papers, the identifiers that name them (arXiv id, DOI, DBLP key, legacy key...) and venues."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from shortscience.metadata.titles import title_key


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


# What the stored refresh state (`metadata_need`, `metadata_due_at`) is computed from: a save
# of any of these recomputes it.
REFRESH_INPUTS = frozenset(
    {
        "authors",
        "year",
        "metadata_source",
        "metadata_updated_at",
        "metadata_checked_at",
        "metadata_check",
        "metadata_retry_at",
        "created_at",
        "metadata_need",
        "metadata_due_at",
    }
)


class PaperQuerySet(models.QuerySet["Paper"]):
    def bulk_create(self, objs: Iterable[Paper], *args: Any, **kwargs: Any) -> list[Paper]:
        """Imports and dump restores make papers in bulk (no save()): the refresh state is
        computed here for them, as save() does for the rest."""
        objs = list(objs)
        for paper in objs:
            paper.set_metadata_due()
            paper.title_key = title_key(paper.title)
        return super().bulk_create(objs, *args, **kwargs)


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
    # Counted views of the paper's page, written only by services/pageviews.py's flush.
    view_count = models.PositiveIntegerField(default=0)
    # "placeholder": made from a bare key (the old site's CSV import), titled with that key
    # until a source answers (services/refresh.py asks those first).
    PLACEHOLDER = "placeholder"
    metadata_source = models.CharField(max_length=20, blank=True)
    metadata_updated_at = models.DateTimeField(null=True, blank=True)

    class Check(models.TextChoices):
        UPDATED = "updated", "Updated"
        UNCHANGED = "unchanged", "Nothing new"
        NOT_FOUND = "not found", "No source knows it"
        FAILED = "failed", "A source did not answer"
        NO_SOURCE = "no source", "No identifier a source can be asked by"

    # The metadata refresh (services/refresh.py): when the sources were last asked and what came
    # of it; after failures in a row, not before `metadata_retry_at` again.
    metadata_checked_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the sources were last asked"
    )
    metadata_check = models.CharField(
        max_length=20, blank=True, choices=Check.choices, editable=False
    )
    metadata_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    metadata_retry_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Stored so the refresh reads its batch off one index (paper_metadata_due) instead of
    # ranking every paper: how much it needs asking (NEED_*) and when it is next due (NULL:
    # never). Kept by set_metadata_due(), which save() and bulk_create() call.
    NEED_PLACEHOLDER, NEED_INCOMPLETE, NEED_COMPLETE = 0, 1, 2
    metadata_need = models.PositiveSmallIntegerField(default=NEED_COMPLETE, editable=False)
    metadata_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived, kept by services/counts.py: its public summaries.
    summary_count = models.PositiveIntegerField(default=0, editable=False)
    # Derived: metadata.titles.title_key(title), set by every path that writes a title
    # (services/works.py), so "is this paper already here?" is one indexed lookup.
    title_key = models.CharField(max_length=300, blank=True, db_index=True, editable=False)

    objects = PaperQuerySet.as_manager()

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
            # The refresh's batch: the most needy due papers, longest due first.
            models.Index(
                fields=["metadata_need", "metadata_due_at", "id"], name="paper_metadata_due"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields: Iterable[str] | None = kwargs.get("update_fields")
        if fields is None or "title" in fields:
            # The folded title the duplicate checks look up (services/works.py), kept here so
            # that no path writing a title (the refresh, the admin, merges) can leave it stale.
            self.title_key = title_key(self.title)
            if fields is not None:
                kwargs["update_fields"] = fields = {*fields, "title_key"}
        if fields is None or REFRESH_INPUTS.intersection(fields):
            self.set_metadata_due()
            if fields is not None:
                kwargs["update_fields"] = {*fields, "metadata_need", "metadata_due_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("paper", args=[self.pk])

    @property
    def authors_text(self) -> str:
        return ", ".join(self.authors)

    def set_metadata_due(self) -> None:
        """Compute the refresh state from the paper's metadata and last refresh outcome: a
        placeholder or incomplete paper never asked is due from when it was made; one whose
        last attempt failed, at its retry time; any other, METADATA_REFRESH_STALE_DAYS after it
        was last asked (or fetched, or made)."""
        if self.metadata_source == self.PLACEHOLDER:
            self.metadata_need = self.NEED_PLACEHOLDER
        elif not self.authors or self.year is None:
            self.metadata_need = self.NEED_INCOMPLETE
        else:
            self.metadata_need = self.NEED_COMPLETE
        made = self.created_at or timezone.now()
        if self.metadata_check == self.Check.FAILED and self.metadata_retry_at is not None:
            self.metadata_due_at = self.metadata_retry_at
        elif self.metadata_checked_at is None and self.metadata_need < self.NEED_COMPLETE:
            self.metadata_due_at = made
        else:
            last = self.metadata_checked_at or self.metadata_updated_at or made
            self.metadata_due_at = last + dt.timedelta(days=settings.METADATA_REFRESH_STALE_DAYS)


class PaperRedirect(models.Model):
    """The id of a paper merged into `paper` (services/merging.py): /papers/<old_id>/ answers
    with a permanent redirect to the kept paper instead of a 404."""

    old_id = models.BigIntegerField(primary_key=True)
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"paper {self.old_id} -> {self.paper_id}"


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
