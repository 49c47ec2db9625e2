"""Similar papers and similar summaries: computed from text with TF-IDF and cosine similarity,
stored as the top few neighbours (models/similar.py) and only read by pages.

The corpus is bounded by what people wrote, not by what was imported: a paper enters it only
when it has at least one public summary (its document is its title, abstract and public
summaries), and a summary only while it is public. A million imported papers without summaries
cost nothing here. Rebuilding everything is `manage.py compute_similar`; publishing or deleting
a summary refreshes its paper's neighbours in a background task queued after the commit, so no
request waits for scikit-learn. Method and bounds: docs/rankings.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from huey.contrib.djhuey import db_task

from shortscience.models import Paper, SimilarPaper, SimilarSummary, Summary
from shortscience.services import summaries  # the module: see the note below

# `summaries` is used through the module, not imported names: services/events.py imports this
# module and summaries imports events, so names bound at import time may not exist yet.

NEIGHBOURS = 5
# Below this cosine two texts share little more than common words; better to show nothing.
MIN_SCORE = 0.05


@dataclass(frozen=True)
class Corpus:
    keys: list[int]  # paper or summary ids, one per row of the matrix
    groups: list[int]  # the paper of each row: neighbours never come from the same paper
    matrix: Any  # scipy sparse, L2-normalised rows, so a dot product is the cosine


def _vectorise(texts: list[str]) -> Any:
    # Imported here: scikit-learn takes a second to import and only the worker and the
    # command need it, never a web request.
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(
        ngram_range=(1, 2), stop_words="english", sublinear_tf=True, max_features=200_000
    )
    return vectoriser.fit_transform(texts)


def paper_corpus() -> Corpus | None:
    """Every paper with at least one public summary: title + abstract + public summaries."""
    texts: dict[int, list[str]] = defaultdict(list)
    papers = Paper.objects.filter(
        Exists(summaries.public_summaries().filter(paper=OuterRef("pk")))
    ).values_list("pk", "title", "abstract")
    for pk, title, abstract in papers.order_by("pk").iterator(chunk_size=1000):
        texts[pk] += [title, title, abstract]  # the title twice: it says most in fewest words
    written = summaries.public_summaries().values_list("paper_id", "markdown")
    for paper_id, markdown in written.iterator(chunk_size=1000):
        if paper_id in texts:
            texts[paper_id].append(markdown)
    if len(texts) < 2:
        return None
    keys = list(texts)
    return Corpus(keys, keys, _vectorise(["\n".join(texts[k]) for k in keys]))


def summary_corpus() -> Corpus | None:
    """Every public summary: its text with its paper's title."""
    rows = list(
        summaries.public_summaries()
        .order_by("pk")
        .values_list("pk", "paper_id", "paper__title", "markdown")
    )
    if len({paper_id for _, paper_id, _, _ in rows}) < 2:
        return None
    return Corpus(
        [pk for pk, _, _, _ in rows],
        [paper_id for _, paper_id, _, _ in rows],
        _vectorise([f"{title}\n{markdown}" for _, _, title, markdown in rows]),
    )


def neighbours(corpus: Corpus, rows: Sequence[int]) -> dict[int, list[tuple[int, float]]]:
    """For each row index, the top NEIGHBOURS (key, cosine) from other papers, best first."""
    found: dict[int, list[tuple[int, float]]] = {}
    for start in range(0, len(rows), 500):  # 500 x corpus-size dense block at most
        chunk = list(rows[start : start + 500])
        scores = (corpus.matrix[chunk] @ corpus.matrix.T).toarray()
        for row, line in zip(chunk, scores, strict=True):
            order = line.argsort()[::-1]
            best: list[tuple[int, float]] = []
            for other in order:
                if line[other] < MIN_SCORE or len(best) == NEIGHBOURS:
                    break
                if corpus.groups[other] != corpus.groups[row]:
                    best.append((corpus.keys[other], round(float(line[other]), 4)))
            found[corpus.keys[row]] = best
    return found


def _store_papers(lists: dict[int, list[tuple[int, float]]]) -> None:
    SimilarPaper.objects.filter(paper_id__in=list(lists)).delete()
    SimilarPaper.objects.bulk_create(
        SimilarPaper(paper_id=key, similar_id=other, score=score, rank=rank)
        for key, found in lists.items()
        for rank, (other, score) in enumerate(found, 1)
    )


def _store_summaries(lists: dict[int, list[tuple[int, float]]]) -> None:
    SimilarSummary.objects.filter(summary_id__in=list(lists)).delete()
    SimilarSummary.objects.bulk_create(
        SimilarSummary(summary_id=key, similar_id=other, score=score, rank=rank)
        for key, found in lists.items()
        for rank, (other, score) in enumerate(found, 1)
    )


def rebuild(progress: Callable[[str, int], None] | None = None) -> tuple[int, int]:
    """Recompute every stored neighbour list; returns (papers, summaries) in the corpora."""
    counts = []
    for name, build, store, model in (
        ("papers", paper_corpus, _store_papers, SimilarPaper),
        ("summaries", summary_corpus, _store_summaries, SimilarSummary),
    ):
        corpus = build()
        with transaction.atomic():
            model.objects.all().delete()
            if corpus is not None:
                store(neighbours(corpus, range(len(corpus.keys))))
        counts.append(len(corpus.keys) if corpus else 0)
        if progress:
            progress(name, counts[-1])
    return counts[0], counts[1]


def _enter(
    lists: dict[int, list[tuple[int, float]]], newcomer: int, found: list[tuple[int, float]]
) -> None:
    """Put `newcomer` into each of its neighbours' lists, where it beats their last entry."""
    for other, score in found:
        kept = [(k, s) for k, s in lists[other] if k != newcomer]
        lists[other] = sorted([*kept, (newcomer, score)], key=lambda pair: -pair[1])[:NEIGHBOURS]


def _current(model: type[SimilarPaper] | type[SimilarSummary], keys: set[int]) -> Any:
    """The stored lists of these papers or summaries, best first."""
    lists: dict[int, list[tuple[int, float]]] = defaultdict(list)
    column = "paper_id" if model is SimilarPaper else "summary_id"
    rows = model.objects.filter(**{f"{column}__in": keys}).order_by("rank")
    for key, other, score in rows.values_list(column, "similar_id", "score"):
        lists[key].append((other, score))
    return lists


def refresh_paper(paper_id: int) -> None:
    """A summary of this paper became public, changed or went: recompute the neighbours of the
    paper and of its public summaries, and enter them into their neighbours' lists."""
    corpus = paper_corpus()
    SimilarPaper.objects.filter(paper_id=paper_id).delete()
    if corpus is not None and paper_id in corpus.keys:
        fresh = neighbours(corpus, [corpus.keys.index(paper_id)])
        lists = _current(SimilarPaper, {k for k, _ in fresh[paper_id]})
        _enter(lists, paper_id, fresh[paper_id])
        _store_papers({**lists, **fresh})
    corpus = summary_corpus()
    SimilarSummary.objects.filter(summary__paper_id=paper_id).delete()
    mine = [i for i, group in enumerate(corpus.groups) if group == paper_id] if corpus else []
    if corpus is None or not mine:
        return
    fresh = neighbours(corpus, mine)
    lists = _current(SimilarSummary, {k for found in fresh.values() for k, _ in found})
    for key, found in fresh.items():
        _enter(lists, key, found)
    _store_summaries({**lists, **fresh})


@db_task()
def refresh_paper_task(paper_id: int) -> None:
    refresh_paper(paper_id)


@db_task()
def rebuild_task() -> None:
    rebuild()


def on_summary_changed(paper_id: int, *, public_now: bool, was_public: bool) -> None:
    """Queue a refresh once the write is committed, if the public text may have changed."""
    if public_now or was_public:
        transaction.on_commit(lambda: refresh_paper_task(paper_id))


def on_bulk_loaded() -> None:
    transaction.on_commit(lambda: rebuild_task())


# --- Reading (pages) -----------------------------------------------------------------------------


@dataclass
class Similar:
    papers: list[Paper]
    summaries: list[Summary]


def for_paper(paper_id: int, summary_ids: Sequence[int]) -> Similar:
    """The stored neighbours of a paper and of its public summaries (`summary_ids`, which the
    paper page already holds), in two queries; anything no longer public (hidden, made
    private, unpublished) is left out at read time."""
    has_public = Exists(summaries.public_summaries().filter(paper=OuterRef("similar_id")))
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
        SimilarSummary.objects.filter(summaries.public_q("similar__"), summary_id__in=summary_ids)
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
