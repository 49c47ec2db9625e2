"""Re-rendering stored Markdown when the renderer changes (the `rerender` command)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.db.models import Q, QuerySet

from shortscience.models import Comment, Summary, User, Venue
from shortscience.rendering import RENDERER_VERSION, Rendered
from shortscience.services import markup, pagecache

CHUNK = 500


def fill_excerpts() -> int:
    """Give every summary without one its excerpt (rows loaded from a dump carry none), leaving
    its stored HTML and renderer version as they are; returns how many were filled."""
    filled = 0
    rows = Summary.objects.filter(excerpt_html="").values_list("pk", "markdown")
    for pk, result in _rendered(rows):
        Summary.objects.filter(pk=pk).update(excerpt_html=result.excerpt_html)
        filled += 1
    if filled:
        pagecache.touch_everything()
    return filled


def rerender(*, force: bool = False) -> dict[str, int]:
    stale = Q() if force else ~Q(renderer_version=RENDERER_VERSION)
    counts = {"summaries": 0, "comments": 0, "profiles": 0, "venues": 0}
    # A summary without its excerpt (loaded from a dump, or stored before excerpts) is stale too.
    # (`Q() | q` is just q, so `force` must not go through the OR: it means every row.)
    summaries = (
        Summary.objects.all() if force else Summary.objects.filter(stale | Q(excerpt_html=""))
    )
    stale_summaries = summaries.values_list("pk", "markdown")
    for pk, rendered in _rendered(stale_summaries):
        Summary.objects.filter(pk=pk).update(
            html=rendered.html,
            excerpt_html=rendered.excerpt_html,
            renderer_version=RENDERER_VERSION,
        )
        counts["summaries"] += 1
    comments = Comment.objects.filter(stale, deleted_at__isnull=True).values_list("pk", "markdown")
    for pk, rendered in _rendered(comments, heading_offset=3, mentions=True):
        Comment.objects.filter(pk=pk).update(
            html=rendered.html,
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


def _rendered(
    rows: QuerySet[Any, tuple[int, str]], *, heading_offset: int = 2, mentions: bool = False
) -> Iterator[tuple[int, Rendered]]:
    """(pk, rendering) of each (pk, markdown) row, read in chunks and typeset a batch of
    documents per call into the engine (markup.render_many); memory stays one chunk."""
    stream = rows.iterator(chunk_size=CHUNK)
    while chunk := list(islice(stream, CHUNK)):
        sources = (markdown for _, markdown in chunk)
        renders = markup.render_many(sources, heading_offset=heading_offset, mentions=mentions)
        yield from zip((pk for pk, _ in chunk), renders, strict=True)
