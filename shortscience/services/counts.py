"""Stored counts: each paper's public summaries, each venue's papers, public summaries and years.

The venue list, a venue's page and the API's venue answers show these on every request; counted
there, their cost grew with the data (the venues list: 27 ms at 20k papers, 226 ms at 200k on
SQLite, 591 ms on PostgreSQL). Here they are recounted exactly for the rows a write touched, from
`services/events.py` inside the write's transaction: a paper's count from its own summaries (the
partial index of public summaries by paper), a venue's summary count from its summarised papers
only (a partial index), which is all a summary's write changes. Its paper count and years are
recounted from the venue-year index when papers arrive, move or merge: bounded by one venue's
papers, whatever the size of the site.

`recount_all()` recounts everything: after bulk loads and nightly, the backstop for writes that
go around the services (an SQL console, a Django admin bulk action) and for two writes on one
venue racing (on PostgreSQL each recount reads the rows committed when it started).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shortscience.models import Paper, Summary, Venue

logger = logging.getLogger(__name__)

# Ids per UPDATE: keeps each statement's IN list well under SQLite's variable limit.
CHUNK = 500


def _chunks(ids: Iterable[int | None]) -> list[list[int]]:
    unique = sorted({pk for pk in ids if pk is not None})
    return [unique[start : start + CHUNK] for start in range(0, len(unique), CHUNK)]


def _public_summaries_of_paper() -> Subquery:
    rows = Summary.objects.public().filter(paper=OuterRef("pk")).order_by().values("paper")
    return Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField())


def refresh_summary_counts(paper_ids: Iterable[int]) -> None:
    """Summaries of these papers were written, hidden or removed: recount the papers' public
    summaries and their venues' sums (which read only the venue's summarised papers)."""
    venue_ids = _recount_papers(paper_ids)
    refresh_venues(venue_ids, summaries_only=True)


def refresh_papers(paper_ids: Iterable[int], *, extra_venue_ids: Iterable[int | None] = ()) -> None:
    """Papers were created, merged or moved: recount them, then everything about their venues
    (and `extra_venue_ids`: venues a paper just left)."""
    venue_ids = _recount_papers(paper_ids) | set(extra_venue_ids)
    refresh_venues(venue_ids)


def _recount_papers(paper_ids: Iterable[int]) -> set[int | None]:
    """Recount the papers' public summaries; the ids of their venues."""
    venue_ids: set[int | None] = set()
    for chunk in _chunks(paper_ids):
        Paper.objects.filter(pk__in=chunk).update(
            summary_count=Coalesce(_public_summaries_of_paper(), 0)
        )
        venue_ids.update(
            Paper.objects.filter(pk__in=chunk, venue__isnull=False)
            .values_list("venue_id", flat=True)
            .distinct()
        )
    return venue_ids


def refresh_venues(venue_ids: Iterable[int | None], *, summaries_only: bool = False) -> None:
    """Recount these venues' public summaries and, unless `summaries_only`, their papers and
    years (those read every index entry of the venue's papers)."""
    for chunk in _chunks(venue_ids):
        papers = Paper.objects.filter(venue=OuterRef("pk")).order_by().values("venue")
        summarised = papers.filter(summary_count__gt=0)
        counts: dict[str, Coalesce] = {
            "summary_count": Coalesce(
                Subquery(
                    summarised.annotate(n=Sum("summary_count")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            )
        }
        if not summaries_only:
            counts["paper_count"] = Coalesce(
                Subquery(papers.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
                0,
            )
        Venue.objects.filter(pk__in=chunk).update(**counts)
        if not summaries_only:
            for venue_id in chunk:
                Venue.objects.filter(pk=venue_id).update(years=_years_of(venue_id))


def _years_of(venue_id: int) -> list[int]:
    # Read from the venue-year index: its entries for this venue, without the table.
    years = (
        Paper.objects.filter(venue_id=venue_id, year__isnull=False)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return [year for year in years if year]


def recount_all() -> dict[str, int]:
    """Recount every paper and venue; returns how many rows were wrong (0 when all was kept)."""
    counted = dict(
        Summary.objects.public()
        .order_by()
        .values("paper")
        .annotate(n=Count("pk"))
        .values_list("paper", "n")
    )
    stored = dict(Paper.objects.filter(summary_count__gt=0).values_list("pk", "summary_count"))
    wrong_papers = {
        pk: counted.get(pk, 0)
        for pk in counted.keys() | stored.keys()
        if counted.get(pk, 0) != stored.get(pk, 0)
    }
    for pk, n in wrong_papers.items():
        Paper.objects.filter(pk=pk).update(summary_count=n)
    venues = (
        Paper.objects.filter(venue__isnull=False)
        .order_by()
        .values("venue")
        .annotate(papers_n=Count("pk"), summaries_n=Coalesce(Sum("summary_count"), 0))
        .values_list("venue", "papers_n", "summaries_n")
    )
    totals = {venue_id: (papers, summaries) for venue_id, papers, summaries in venues}
    years: dict[int, set[int]] = {}
    for venue_id, year in (
        Paper.objects.filter(venue__isnull=False, year__isnull=False)
        .order_by()
        .values_list("venue", "year")
        .distinct()
    ):
        if year:
            years.setdefault(venue_id, set()).add(year)
    wrong_venues = 0
    for venue in Venue.objects.only("pk", "paper_count", "summary_count", "years").iterator():
        papers, summaries = totals.get(venue.pk, (0, 0))
        newest_first = sorted(years.get(venue.pk, ()), reverse=True)
        if (venue.paper_count, venue.summary_count, venue.years) != (
            papers,
            summaries,
            newest_first,
        ):
            wrong_venues += 1
            Venue.objects.filter(pk=venue.pk).update(
                paper_count=papers, summary_count=summaries, years=newest_first
            )
    if wrong_papers or wrong_venues:
        logger.info("Recount corrected %d papers and %d venues", len(wrong_papers), wrong_venues)
    return {"papers": len(wrong_papers), "venues": wrong_venues}


@db_periodic_task(crontab(minute="17", hour="4"))
def recount_nightly() -> None:
    """The backstop for writes that went around the services."""
    recount_all()
