"""The reader's library: named reading lists (private unless made public) and the papers a
reader saved into them, each with a reading status and one private Markdown note."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify


class ReadingList(models.Model):
    """A reader's list of saved papers. `is_default` marks the "Reading list" made on first use."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_lists"
    )
    name = models.CharField(max_length=100)
    is_default = models.BooleanField(default=False)
    # A public list shows its papers (never notes) to anyone who has its link.
    is_public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="reading_list_name_once"),
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(is_default=True),
                name="reading_list_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner_id})"

    def get_absolute_url(self) -> str:
        return reverse("library-list", args=[self.pk, self.slug])

    @property
    def slug(self) -> str:
        return slugify(self.name)[:60] or "list"


class SavedPaper(models.Model):
    """One paper a reader saved: in exactly one of their lists, with a status and a note.
    The note (Markdown, rendered when written) is private to the reader, always."""

    class Status(models.TextChoices):
        TO_READ = "to_read", "To read"
        READ = "read", "Read"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_papers"
    )
    paper = models.ForeignKey("shortscience.Paper", on_delete=models.CASCADE, related_name="+")
    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="saved")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TO_READ)
    note_markdown = models.TextField(blank=True, default="")
    note_html = models.TextField(blank=True, default="")
    renderer_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "paper"], name="saved_paper_once"),
        ]
        indexes = [models.Index(fields=["reading_list", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.owner_id} saved {self.paper_id}"
