"""Re-rendering stored Markdown when the renderer changes (the `rerender` command)."""

from __future__ import annotations

from django.db.models import Q

from shortscience.models import Comment, Summary, User, Venue
from shortscience.rendering import RENDERER_VERSION
from shortscience.services import markup, pagecache


def fill_excerpts() -> int:
    """Give every summary without one its excerpt (rows loaded from a dump carry none), leaving
    its stored HTML and renderer version as they are; returns how many were filled."""
    filled = 0
    rows = Summary.objects.filter(excerpt_html="").only("pk", "markdown")
    for summary in rows.iterator(chunk_size=500):
        excerpt = markup.render(summary.markdown).excerpt_html
        Summary.objects.filter(pk=summary.pk).update(excerpt_html=excerpt)
        filled += 1
    if filled:
        pagecache.touch_everything()
    return filled


def rerender(*, force: bool = False) -> dict[str, int]:
    stale = Q() if force else ~Q(renderer_version=RENDERER_VERSION)
    counts = {"summaries": 0, "comments": 0, "profiles": 0, "venues": 0}
    # A summary without its excerpt (loaded from a dump, or stored before excerpts) is stale too.
    stale_summaries = Summary.objects.filter(stale | Q(excerpt_html="")).only("pk", "markdown")
    for summary in stale_summaries.iterator(chunk_size=500):
        rendered = markup.render(summary.markdown)
        Summary.objects.filter(pk=summary.pk).update(
            html=rendered.html,
            excerpt_html=rendered.excerpt_html,
            renderer_version=RENDERER_VERSION,
        )
        counts["summaries"] += 1
    rows = Comment.objects.filter(stale, deleted_at__isnull=True).only("pk", "markdown")
    for comment in rows.iterator(chunk_size=500):
        Comment.objects.filter(pk=comment.pk).update(
            html=markup.render(comment.markdown, heading_offset=3).html,
            renderer_version=RENDERER_VERSION,
        )
        counts["comments"] += 1
    # Profiles and venue descriptions carry no version: they are few, so always refresh them.
    for user in User.objects.exclude(description_markdown="").only("pk", "description_markdown"):
        User.objects.filter(pk=user.pk).update(
            description_html=markup.render(user.description_markdown, heading_offset=3).html
        )
        counts["profiles"] += 1
    for venue in Venue.objects.exclude(description_markdown=""):
        Venue.objects.filter(pk=venue.pk).update(
            description_html=markup.render(venue.description_markdown).html
        )
        counts["venues"] += 1
    if any(counts.values()):
        pagecache.touch_everything()
    return counts
