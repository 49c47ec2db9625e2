"""What pages read: the stored neighbours of a paper and of its summaries, in two queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from shortscience.models import Paper, SimilarPaper, SimilarSummary, Summary
from shortscience.models.summaries import public_q
from shortscience.services.similar.vectors import NEIGHBOURS


@dataclass
class Similar:
    papers: list[Paper]
    summaries: list[Summary]


def for_paper(paper_id: int, summary_ids: Sequence[int]) -> Similar:
    """The stored neighbours of a paper and of its public summaries (`summary_ids`, which the
    paper page already holds), in two queries; anything no longer public (hidden, made
    private, unpublished) is left out at read time."""
    has_public = Exists(Summary.objects.public().filter(paper=OuterRef("similar_id")))
    papers = [
        link.similar
        for link in SimilarPaper.objects.filter(has_public, paper_id=paper_id)
        .select_related("similar")
        .only("similar_id", "similar__title", "similar__year")
        .order_by("rank")[:NEIGHBOURS]
    ]
    # Filtering by the summaries' ids (not by their paper through a join) lets the database
    # walk the summary_id index; the join made SQLite scan every summary.
    links = (
        SimilarSummary.objects.filter(public_q("similar__"), summary_id__in=summary_ids)
        .exclude(similar__paper_id=paper_id)
        .select_related("similar__paper")
        # Only what the section shows: the summaries' HTML and Markdown are large.
        .only("similar_id", "similar__paper_id", "similar__paper__title")
        .order_by("-score", "similar_id")[: NEIGHBOURS * 4]
    )
    seen: dict[int, Summary] = {}
    for link in links if summary_ids else []:
        if link.similar_id not in seen and len(seen) < NEIGHBOURS:
            seen[link.similar_id] = link.similar
    return Similar(papers=papers, summaries=list(seen.values()))
