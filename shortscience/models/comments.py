"""Comments on summaries, replies one level deep; a deleted comment stays as a tombstone.

A comment by the author of an anonymous summary under that summary is shown as "the author
(anonymous)": `as_summary_author` is stored when it is posted while the summary is anonymous,
and `anonymous_comment_q` / `Comment.by_anonymous_author` add the comments its author writes
there while the summary is anonymous now (docs/writing.md, "Anonymous replies")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet

from shortscience.models.summaries import Summary


def anonymous_comment_q(prefix: str = "") -> Q:
    """Comments shown as "the author (anonymous)": posted while the summary was anonymous, or
    written by its author while it is anonymous now. `prefix` applies it through a relation."""
    return Q(**{f"{prefix}as_summary_author": True}) | Q(
        **{
            f"{prefix}summary__is_anonymous": True,
            f"{prefix}author_id": F(f"{prefix}summary__author_id"),
        }
    )


def with_anonymity(rows: QuerySet[Comment]) -> QuerySet[Comment]:
    """The rows with `by_anonymous_author` computed in the query (a join on the summary's two
    columns), so lists of comments need not load their summaries."""
    return rows.annotate(
        shown_anonymous=ExpressionWrapper(anonymous_comment_q(), output_field=BooleanField())
    )


class Comment(models.Model):
    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    markdown = models.TextField()
    html = models.TextField()
    renderer_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False, help_text="Hidden by a moderator")
    as_summary_author = models.BooleanField(
        default=False,
        help_text="Posted by the author of the summary while it was anonymous: stays anonymous",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["summary", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk} on summary {self.summary_id}"

    @property
    def is_deleted(self) -> bool:
        """Deleted by its author or hidden by a moderator: shown only as a tombstone."""
        return self.deleted_at is not None or self.is_hidden

    @property
    def by_anonymous_author(self) -> bool:
        """Shown as "the author (anonymous)" (the rule of `anonymous_comment_q`); load the
        summary with the comment (select_related) or use `with_anonymity` to keep this free of
        queries."""
        if self.as_summary_author:
            return True
        annotated = getattr(self, "shown_anonymous", None)  # set by with_anonymity
        if annotated is not None:
            return bool(annotated)
        summary = self.summary
        return summary.is_anonymous and summary.author_id == self.author_id
