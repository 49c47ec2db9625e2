"""What the two similarity corpora are made of, read from the database.

The corpus is bounded by what people wrote, not by what was imported: a paper enters it only
when it has at least one public summary (its document is its title twice, its abstract and its
public summaries), and a summary only while it is public. Both are read in one pass over the
public summaries joined to their paper: the first version asked, for every paper, whether a
public summary existed (an EXISTS per paper), which on SQLite did not finish in minutes at a
million imported papers.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from shortscience.models import Summary
from shortscience.models.summaries import SummaryQuerySet


@dataclass(frozen=True)
class Documents:
    keys: list[int]  # paper or summary ids
    groups: list[int]  # the paper of each: neighbours never come from the same paper
    texts: list[str]


def _public(paper_ids: Collection[int] | None) -> SummaryQuerySet:
    rows = Summary.objects.public()
    if paper_ids is not None:
        rows = rows.filter(paper_id__in=list(paper_ids))
    return rows


def papers(paper_ids: Collection[int] | None = None) -> Documents:
    """Papers with at least one public summary (all of them, or those among `paper_ids`)."""
    rows = (
        _public(paper_ids)
        .order_by("paper_id", "pk")
        .values_list("paper_id", "paper__title", "paper__abstract", "markdown")
    )
    texts: dict[int, list[str]] = {}
    for paper_id, title, abstract, markdown in rows.iterator(chunk_size=2000):
        if paper_id not in texts:
            # The title twice: it says most in fewest words.
            texts[paper_id] = [title, title, abstract]
        texts[paper_id].append(markdown)
    keys = list(texts)
    return Documents(keys, keys, ["\n".join(texts[k]) for k in keys])


def summaries_of(paper_ids: Collection[int] | None = None) -> Documents:
    """Public summaries (all of them, or those of `paper_ids`), each with its paper's title."""
    rows = (
        _public(paper_ids)
        .order_by("pk")
        .values_list("pk", "paper_id", "paper__title", "markdown")
        .iterator(chunk_size=2000)
    )
    keys, groups, texts = [], [], []
    for pk, paper_id, title, markdown in rows:
        keys.append(pk)
        groups.append(paper_id)
        texts.append(f"{title}\n{markdown}")
    return Documents(keys, groups, texts)
