"""When neighbours are recomputed: after a write (debounced per paper, retried, failing soft),
every night (a full refit), after bulk loads, and for papers whose refresh was lost.

A save marks its paper dirty (one `SimilarDirty` row, after the commit) and, only if the row is
new, schedules a refresh DEBOUNCE_SECONDS later: ten saves of a draft-turned-public summary in
a minute cost one refresh. The task claims the row before it reads anything, so a save made
while it runs marks the paper again and schedules the next refresh. A failing refresh is logged
by huey and retried; if it keeps failing the row stays (marked again) and the sweeper, every
ten minutes, queues the papers dirty for longer than that. Nothing here raises into a save.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from shortscience.models.similar import SimilarDirty
from shortscience.services.similar import refresh

logger = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 30
RETRIES = 3
RETRY_DELAY_SECONDS = 60
FORGOTTEN_AFTER = timedelta(minutes=10)


def on_summary_changed(paper_id: int, *, public_now: bool, was_public: bool) -> None:
    """Mark the paper for a refresh once the write is committed, if its public text may have
    changed."""
    if public_now or was_public:
        transaction.on_commit(lambda: mark_dirty(paper_id))


def on_bulk_loaded() -> None:
    transaction.on_commit(lambda: rebuild_task(), robust=True)


def mark_dirty(paper_id: int) -> None:
    """Called after the commit, so its failures are the site's, never the writer's: logged."""
    try:
        _, created = SimilarDirty.objects.get_or_create(paper_id=paper_id)
        if created:  # otherwise a refresh is already scheduled and will read this change
            _schedule(paper_id)
    except Exception:  # a lost refresh must not fail a committed save
        logger.exception("Could not queue the similar refresh of paper %s", paper_id)


def _schedule(paper_id: int) -> None:
    if HUEY.immediate:
        # Scripts and tests run tasks inline, where a delayed task would never run.
        refresh_paper_task(paper_id)
    else:
        refresh_paper_task.schedule((paper_id,), delay=DEBOUNCE_SECONDS)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def refresh_paper_task(paper_id: int) -> None:
    # Claimed first: a save from now on is not covered by this run and schedules another.
    SimilarDirty.objects.filter(paper_id=paper_id).delete()
    try:
        refresh.refresh_paper(paper_id)
    except Exception:
        # Marked again, so the sweeper still finds the paper if every retry fails; huey logs
        # the error and retries.
        try:
            SimilarDirty.objects.get_or_create(paper_id=paper_id)
        except DatabaseError:
            logger.exception("Could not mark paper %s for a later similar refresh", paper_id)
        raise


@db_periodic_task(crontab(minute="*/10"))
def refresh_forgotten() -> None:
    """Queue the papers dirty for longer than a refresh should take (a lost task, a worker
    restarted, retries used up)."""
    cutoff = timezone.now() - FORGOTTEN_AFTER
    for paper_id in SimilarDirty.objects.filter(marked_at__lt=cutoff).values_list(
        "paper_id", flat=True
    )[:1000]:
        refresh_paper_task(paper_id)


def rebuild(progress: Callable[[str, int], None] | None = None) -> tuple[int, int]:
    """Refit and recompute everything; papers marked before it started are covered by it.
    Returns the sizes of the two corpora (papers, summaries)."""
    started = timezone.now()
    counts = refresh.rebuild(progress)
    SimilarDirty.objects.filter(marked_at__lt=started).delete()
    return counts


@db_task(retries=1, retry_delay=600)
def rebuild_task() -> None:
    rebuild()


@db_periodic_task(crontab(minute="41", hour="3"))
def rebuild_nightly() -> None:
    """The vocabulary learns the day's new words and the index the day's new documents; lists
    that lost an entry (a summary made private) are filled again."""
    rebuild()
