"""Summary cards: a summary with what a page shows beside it (the viewer's vote, the comments),
gathered for a whole list in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from shortscience.models import Comment, Summary, User
from shortscience.services import comments, neutralpages, standing, votes


@dataclass
class SummaryCard:
    summary: Summary
    my_vote: int = 0
    comments: list[Comment] = field(default_factory=list)
    can_vote: bool = False
    is_mine: bool = False
    # The paper's verified authors (their badges), and whether the viewer is one (errata).
    paper_authors: frozenset[int] = frozenset()
    can_mark_errata: bool = False


def build(
    summaries: Sequence[Summary],
    viewer: User | None,
    *,
    with_comments: bool = False,
    paper_authors: frozenset[int] = frozenset(),
) -> list[SummaryCard]:
    """Cards for summaries; `paper_authors` (services/authors.py) when all are of one paper."""
    ids = [s.pk for s in summaries]
    mine = votes.my_votes(viewer, ids)
    threads = comments.threads(ids, moderating=lambda: _moderates(viewer)) if with_comments else {}
    signed_in = viewer is not None and viewer.is_authenticated
    if neutralpages.is_recording():
        neutralpages.note_summaries(ids, _authors(summaries, threads.values()))
    cards = []
    for summary in summaries:
        is_mine = signed_in and viewer is not None and summary.author_id == viewer.pk
        cards.append(
            SummaryCard(
                summary=summary,
                my_vote=mine.get(summary.pk, 0),
                comments=threads.get(summary.pk, []),
                can_vote=summary.is_public and not is_mine,
                is_mine=is_mine,
                paper_authors=paper_authors,
                can_mark_errata=signed_in and viewer is not None and viewer.pk in paper_authors,
            )
        )
    return cards


def _moderates(viewer: User | None) -> bool:
    """Whether hidden comments show in place (to moderators only): never in a shared copy."""
    return not neutralpages.is_recording() and standing.is_moderator(viewer)


def _authors(
    summaries: Sequence[Summary], threads: Iterable[list[Comment]]
) -> Iterator[int | None]:
    """Everyone whose summary or comment a card shows (the reader's own get other buttons)."""
    for summary in summaries:
        yield summary.author_id
    stack = [comment for thread in threads for comment in thread]
    while stack:
        comment = stack.pop()
        yield comment.author_id
        stack.extend(getattr(comment, "thread_replies", ()))
