"""What happened, told once to everything that keeps derived data in step.

Services call these functions after a write (inside the same transaction where there is one);
each function fans the event out to the features that depend on it: the search index, rankings
and reputation, similarity, follows and notifications. Handlers that send mail or do slow work
queue a task instead of doing it in the request.
"""

from __future__ import annotations

from collections.abc import Sequence

from shortscience.models import Comment, Summary


def summary_saved(summary: Summary, *, was_public: bool) -> None:
    """A summary was created or changed (text, status, privacy, anonymity)."""


def summary_deleted(summary_id: int, paper_id: int, author_id: int) -> None:
    """A summary and everything hanging off it is gone (its rows no longer exist)."""


def summary_moderated(summary_id: int) -> None:
    """A moderator hid or restored a summary, or locked or unlocked its comments."""


def comment_saved(comment: Comment, *, created: bool) -> None:
    """A comment was posted or edited."""


def comment_removed(comment: Comment) -> None:
    """A comment was deleted (or became a tombstone) or hidden by a moderator, or restored."""


def vote_cast(summary_id: int) -> None:
    """A vote on a summary was cast, changed or retracted; its score is already recounted."""


def papers_written(paper_ids: Sequence[int]) -> None:
    """Papers were created or their metadata changed (lookup, import, merge, load)."""


def paper_removed(paper_id: int) -> None:
    """A paper no longer exists (merged into another)."""


def users_changed(user_ids: Sequence[int]) -> None:
    """People's names, standing (ban, suspension) or existence changed."""


def contributions_changed(summary_ids: Sequence[int], comment_ids: Sequence[int]) -> None:
    """Summaries and comments changed or vanished in bulk (an account deleted or anonymised);
    some of these rows may no longer exist."""


def bulk_loaded() -> None:
    """Many rows were written directly (a dump loaded, demo content made): rebuild everything
    derived from them."""
