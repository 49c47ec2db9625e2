"""What happened, told once to everything that keeps derived data in step.

Services call these functions after a write (inside the same transaction where there is one);
each function fans the event out to the features that depend on it: the search index, rankings
and reputation, similarity, follows and notifications, and the anonymous page cache (which pages
the write changed: `pagecache.touch`). Handlers that send mail or do slow work queue a task
instead of doing it in the request.
"""

from __future__ import annotations

from collections.abc import Sequence

from shortscience import search
from shortscience.models import Comment, Summary
from shortscience.services import (
    counts,
    maintenance,
    notification_emails,
    notifications,
    pagecache,
    rankings,
    similar,
)


def _summary_pages(summary_ids: Sequence[int]) -> list[str]:
    """The pages that show these summaries: theirs, their papers', their authors', the lists."""
    rows = Summary.objects.filter(pk__in=summary_ids).values_list(
        "pk", "paper_id", "author__username"
    )
    tags = [pagecache.LISTS]
    for pk, paper_id, username in rows:
        tags += [pagecache.summary(pk), pagecache.paper(paper_id), pagecache.person(username)]
    return tags


def summary_saved(summary: Summary, *, was_public: bool) -> None:
    """A summary was created or changed (text, status, privacy, anonymity)."""
    if was_public and not summary.is_public:
        # Other papers' pages may link it among their similar summaries.
        pagecache.touch_everything()
    else:
        pagecache.touch(*_summary_pages([summary.pk]))
    counts.refresh_summary_counts([summary.paper_id])
    search.index_summaries([summary.pk])
    rankings.on_summary_saved(summary)
    similar.on_summary_changed(
        summary.paper_id, public_now=summary.is_public, was_public=was_public
    )
    notification_emails.queue_after_commit(
        notifications.summary_saved(summary, was_public=was_public)
    )


def summary_deleted(summary_id: int, paper_id: int, author_id: int) -> None:
    """A summary and everything hanging off it is gone (its rows no longer exist)."""
    pagecache.touch_everything()
    counts.refresh_summary_counts([paper_id])
    search.remove_summary(summary_id)
    rankings.on_author_changed(author_id)
    similar.on_summary_changed(paper_id, public_now=False, was_public=True)


def summary_moderated(summary_id: int) -> None:
    """A moderator hid or restored a summary, or locked or unlocked its comments."""
    pagecache.touch_everything()
    moderated = Summary.objects.filter(pk=summary_id).first()
    if moderated is not None:  # hidden or back: it leaves or rejoins the similar lists
        counts.refresh_summary_counts([moderated.paper_id])
        similar.on_summary_changed(
            moderated.paper_id, public_now=moderated.is_public, was_public=True
        )
    search.index_summaries([summary_id])
    rankings.on_summaries_changed([summary_id])
    notification_emails.queue_after_commit(notifications.summary_moderated(summary_id))


def comment_saved(comment: Comment, *, created: bool) -> None:
    """A comment was posted or edited."""
    pagecache.touch(*_summary_pages([comment.summary_id]))
    search.index_comments([comment.pk])
    notification_emails.queue_after_commit(notifications.comment_saved(comment, created=created))


def comment_removed(comment: Comment) -> None:
    """A comment was deleted (or became a tombstone) or hidden by a moderator, or restored."""
    pagecache.touch(*_summary_pages([comment.summary_id]))
    search.index_comments([comment.pk])


def vote_cast(summary_id: int) -> None:
    """A vote on a summary was cast, changed or retracted; its score is already recounted."""
    pagecache.touch(*_summary_pages([summary_id]))
    search.refresh_scores([summary_id])
    rankings.on_vote(summary_id)


def papers_written(paper_ids: Sequence[int]) -> None:
    """Papers were created or their metadata changed (lookup, import, merge, load)."""
    pagecache.touch(pagecache.LISTS, *(pagecache.paper(pk) for pk in paper_ids))
    counts.refresh_papers(paper_ids)
    search.index_papers(paper_ids)


def paper_removed(paper_id: int, venue_id: int | None) -> None:
    """A paper no longer exists (merged into another); it was in `venue_id`."""
    pagecache.touch_everything()
    counts.refresh_venues([venue_id])
    search.remove_paper(paper_id)


def users_changed(user_ids: Sequence[int]) -> None:
    """People's names, standing (ban, suspension) or existence changed."""
    pagecache.touch_everything()  # names are shown on every page that lists their work
    search.index_users(user_ids)


def contributions_changed(
    summary_ids: Sequence[int], comment_ids: Sequence[int], paper_ids: Sequence[int]
) -> None:
    """Summaries and comments changed or vanished in bulk (an account deleted or anonymised);
    some of these rows may no longer exist. `paper_ids`: the papers they were on."""
    pagecache.touch_everything()
    counts.refresh_summary_counts(paper_ids)
    search.index_summaries(summary_ids)
    search.index_comments(comment_ids)
    rankings.on_summaries_changed(summary_ids)


def bulk_loaded() -> None:
    """Many rows were written directly (a dump loaded, demo content made): rebuild everything
    derived from them."""
    pagecache.touch_everything()
    counts.recount_all()
    maintenance.analyse()  # the planner's statistics still describe the tables before the load
    search.rebuild()
    rankings.recompute_all()
    similar.on_bulk_loaded()
