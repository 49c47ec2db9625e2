"""Summary cards: a summary with what a page shows beside it (the viewer's vote, the comments),
gathered for a whole list in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from shortscience.models import Comment, Summary, User
from shortscience.services import comments, neutralpages, votes


@dataclass
class SummaryCard:
    summary: Summary
    my_vote: int = 0
    comments: list[Comment] = field(default_factory=list)
    can_vote: bool = False
    is_mine: bool = False


def build(
    summaries: Sequence[Summary], viewer: User | None, *, with_comments: bool = False
) -> list[SummaryCard]:
    ids = [s.pk for s in summaries]
    mine = votes.my_votes(viewer, ids)
    threads = comments.threads(ids) if with_comments else {}
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
            )
        )
    return cards


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
