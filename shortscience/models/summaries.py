"""Summaries of papers, their revision history and the images uploaded for them.

A summary stores its Markdown source beside the sanitised HTML rendered when it was written and
the renderer version that produced it; `manage.py rerender` refreshes stale HTML.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from shortscience.models.papers import Paper


def public_q(prefix: str = "") -> models.Q:
    """The public rule: published, public and not hidden by a moderator. What any page, feed,
    count, search, API answer, sitemap or dump may show; `prefix` applies it through a relation
    (`"summaries__"`). Every query states it through this function or `Summary.objects.public()`
    (tests/models/test_public_rule.py finds copies)."""
    return models.Q(
        **{
            f"{prefix}status": "published",
            f"{prefix}visibility": "public",
            f"{prefix}is_hidden": False,
        }
    )


# The condition of the partial indexes below: a query uses them only when its WHERE clause
# contains these same three terms, which public_q() gives.
PUBLIC = public_q()


class SummaryQuerySet(models.QuerySet["Summary"]):
    def public(self) -> SummaryQuerySet:
        return self.filter(public_q())

    def visible_to(self, viewer: Any) -> SummaryQuerySet:
        """Public summaries, plus the viewer's own of any kind (drafts, private, hidden)."""
        if viewer is not None and viewer.is_authenticated:
            return self.filter(public_q() | models.Q(author=viewer))
        return self.public()


class Summary(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private (only me and people with the share link)"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="summaries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="summaries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    is_anonymous = models.BooleanField(default=False)
    is_hidden = models.BooleanField(
        default=False, help_text="Hidden by a moderator: gone from every page, feed, API and dump"
    )
    comments_locked = models.BooleanField(default=False, help_text="Locked by a moderator")
    share_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    markdown = models.TextField()
    html = models.TextField()
    # The opening of `html`, cut at a block boundary when the summary is rendered: list pages
    # (home, user, venue, search, feeds, API lists) carry this, never the whole text.
    excerpt_html = models.TextField(default="", blank=True)
    renderer_version = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0, help_text="Net votes; recounted on every vote")
    # Denormalised by services/rankings.py on publish and on every vote (docs/rankings.md).
    hotness = models.FloatField(default=0.0)
    comment_count = models.PositiveIntegerField(default=0)
    # Written only by services/pageviews.py's flush (docs/rankings.md, "Views"): every counted
    # view of the summary's page or its paper's page, and the views of the 30 days before today
    # that the Popular tab orders by (refreshed once a day).
    view_count = models.PositiveIntegerField(default=0)
    recent_views = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)
    # Text the author saved without publishing it (autosave, or "Save draft" on a published
    # summary): only the editor and its author see it; `markdown` and `html` stay what readers
    # read until the author publishes ("" = no draft; docs/writing.md).
    draft_markdown = models.TextField(default="", blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    # Counts every save and autosave: the editor and the API send back the one they started
    # from, and a write from an older one is refused as a conflict instead of overwriting.
    version = models.PositiveIntegerField(default=1)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "author"], name="one_summary_per_author_per_paper"
            )
        ]
        # Partial indexes over public rows only (docs/decisions/0006-query-indexes.md): each list
        # reads one in its own order and stops after a page. Indexes led by status and visibility,
        # which nearly every row shares, misled SQLite into using them for per-paper lookups.
        indexes = [
            models.Index(fields=["-hotness", "-id"], condition=PUBLIC, name="summary_public_hot"),
            models.Index(
                fields=["-published_at", "-id"], condition=PUBLIC, name="summary_public_recent"
            ),
            models.Index(
                fields=["-score", "-published_at", "-id"],
                condition=PUBLIC,
                name="summary_public_best",
            ),
            models.Index(
                fields=["-last_activity_at", "-id"], condition=PUBLIC, name="summary_public_active"
            ),
            models.Index(
                fields=["-recent_views", "-id"], condition=PUBLIC, name="summary_public_viewed"
            ),
            models.Index(
                fields=["paper", "-score", "published_at", "id"],
                condition=PUBLIC,
                name="summary_public_paper",
            ),
            models.Index(
                fields=["author", "-published_at", "-id"],
                condition=PUBLIC & models.Q(is_anonymous=False),
                name="summary_named_author",
            ),
        ]

    def __str__(self) -> str:
        return f"Summary {self.pk} of paper {self.paper_id}"

    def get_absolute_url(self) -> str:
        return reverse("summary", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.visibility == self.Visibility.PUBLIC
            and not self.is_hidden
        )

    @property
    def has_draft(self) -> bool:
        return bool(self.draft_markdown)

    @property
    def anchor(self) -> str:
        """Fragment id on the paper page; never derived from the author."""
        return f"summary-{self.pk}"


class Revision(models.Model):
    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    markdown = models.TextField()
    status = models.CharField(max_length=10, choices=Summary.Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summary", "number"], name="revision_number_unique")
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Revision {self.number} of summary {self.summary_id}"


class SummaryImage(models.Model):
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="images"
    )
    file = models.ImageField(upload_to="summary-images/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.file.name)
