"""Similar papers and similar summaries: TF-IDF and cosine similarity, stored as each
document's top few neighbours (models/similar.py) and only read by pages.

- `vectors`: the numbers (fit, transform with a stored vocabulary, the candidate index);
- `corpus`: which documents exist and their text;
- `store`: the stored fit, vectors and lists, and the write turn that keeps them consistent;
- `refresh`: the full rebuild and the per-paper incremental refresh;
- `tasks`: when they run (debounced after writes, retried, nightly) — the event hooks;
- `reading`: what pages read (`for_paper`, two queries).

Method, bounds and costs: docs/rankings.md and docs/decisions/0005-similar-incremental.md.
"""

from __future__ import annotations

from shortscience.services.similar import corpus
from shortscience.services.similar.corpus import Documents
from shortscience.services.similar.reading import Similar, for_paper
from shortscience.services.similar.refresh import refresh_paper
from shortscience.services.similar.tasks import (
    mark_dirty,
    on_bulk_loaded,
    on_summary_changed,
    rebuild,
    rebuild_nightly,
    rebuild_task,
    refresh_forgotten,
    refresh_paper_task,
)
from shortscience.services.similar.vectors import MIN_SCORE, NEIGHBOURS


def paper_corpus() -> Documents:
    """Every paper with at least one public summary, with its document's text."""
    return corpus.papers()


def summary_corpus() -> Documents:
    """Every public summary, with its paper's title."""
    return corpus.summaries_of()


__all__ = [
    "MIN_SCORE",
    "NEIGHBOURS",
    "Documents",
    "Similar",
    "for_paper",
    "mark_dirty",
    "on_bulk_loaded",
    "on_summary_changed",
    "paper_corpus",
    "rebuild",
    "rebuild_nightly",
    "rebuild_task",
    "refresh_forgotten",
    "refresh_paper",
    "refresh_paper_task",
    "summary_corpus",
]
