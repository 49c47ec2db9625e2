"""Computing neighbours: the full rebuild (refits the vocabulary) and the refresh of one paper
after its public text changed (no refit: the changed documents are transformed with the stored
vocabulary and compared only with candidates, so its cost does not grow with the corpus).

A refresh of paper P, for each corpus (papers, then summaries):
1. reads P's current documents (its paper document, its public summaries) and transforms them;
2. finds each one's candidates: the fit's index plus the vectors refreshed since the fit;
3. reads the candidates' stored vectors (one query; only still-public documents come back) and
   keeps the best NEIGHBOURS by exact cosine;
4. in one short transaction, holding the corpus's write turn: stores P's vectors (or drops
   those that left the corpus), rescores P in every list that names it (or takes it out), enters
   P into the lists of its new neighbours where it beats their last entry, and stores P's lists.
Running it twice stores the same rows.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from shortscience.services.similar import store, vectors
from shortscience.services.similar.vectors import MIN_SCORE, NEIGHBOURS, Neighbours


class FitReplaced(Exception):
    """A rebuild replaced the fit while a refresh computed with it; the retry uses the new one."""


def rebuild(progress: Callable[[str, int], None] | None = None) -> tuple[int, int]:
    """Refit both corpora and recompute every stored list; returns their sizes."""
    counts = []
    for kind in (store.PAPERS, store.SUMMARIES):
        documents = kind.documents(None)
        vocabulary, matrix = vectors.fit(documents.texts)
        champions = vectors.Champions.build(matrix, documents.keys)
        found = vectors.all_neighbours(matrix, documents.keys, documents.groups, champions)
        rows = vectors.rows_of(matrix)
        blobs = {key: vectors.pack(row) for key, row in zip(documents.keys, rows, strict=True)}
        with transaction.atomic():
            store.replace_all(kind, vocabulary, champions, blobs, found)
        counts.append(len(documents.keys))
        if progress:
            progress(kind.name, counts[-1])
    return counts[0], counts[1]


def refresh_paper(paper_id: int) -> None:
    """A summary of this paper became public, changed or went: bring both corpora up to date."""
    for kind in (store.PAPERS, store.SUMMARIES):
        fit = store.current_fit(kind)
        if fit is None:  # never fitted (a new site): the first refresh fits everything
            rebuild()
            return
        _refresh(kind, fit, paper_id)


def _refresh(kind: store.Kind, fit: store.Fit, paper_id: int) -> None:
    documents = kind.documents([paper_id])
    rows = vectors.rows_of(fit.vocabulary.transform(documents.texts))
    mine = dict(zip(documents.keys, rows, strict=True))
    gone = kind.stored_keys_of(paper_id) - set(mine)
    found = _search(kind, fit, mine, documents.groups[0] if documents.keys else paper_id)
    with transaction.atomic():
        if not store.lock_fit(kind, fit.pk):
            raise FitReplaced(kind.name)
        changed = set(mine) | gone
        owners = store.owners_of(kind, changed) - changed
        entered = {other for found_list in found.values() for other, _ in found_list}
        lists = store.lists(kind, (owners | entered) - changed)
        owner_vectors = store.vectors(kind, owners)
        for owner in owners:
            vector = owner_vectors[owner][1] if owner in owner_vectors else None
            lists[owner] = _rescored(lists[owner], vector, mine, gone)
        for key, found_list in found.items():
            for other, score in found_list:
                lists[other] = _enter(lists[other], key, score)
        store.write_vectors(kind, {k: vectors.pack(row) for k, row in mine.items()}, gone)
        store.write_lists(kind, {**lists, **found, **{key: [] for key in gone}})


def _search(
    kind: store.Kind, fit: store.Fit, mine: dict[int, vectors.Row], group: int
) -> dict[int, Neighbours]:
    """The neighbours of each of these documents (all of one paper), by exact cosine among
    the candidates the index and the recently refreshed vectors offer."""
    if not mine:
        return {}
    fresh_keys, fresh_rows = store.refreshed_since_fit(kind, fit)
    candidates = {
        key: {
            *fit.champions.candidates(row),
            *vectors.exhaustive(row, fresh_rows, fresh_keys),
        }
        - set(mine)
        for key, row in mine.items()
    }
    stored = store.vectors(kind, set().union(*candidates.values()))
    found: dict[int, Neighbours] = {}
    for key, row in mine.items():
        keys = [k for k in candidates[key] if k in stored]
        found[key] = vectors.best_neighbours(
            row,
            key,
            group,
            vectors.stack([stored[k][1] for k in keys], fit.width),
            keys,
            [stored[k][0] for k in keys],
        )
    return found


def _rescored(
    neighbours: Neighbours, owner: vectors.Row | None, mine: dict[int, vectors.Row], gone: set[int]
) -> Neighbours:
    """A list naming this paper's documents, with their scores computed from the new text;
    those that left the corpus or fell below MIN_SCORE are taken out (the next rebuild fills
    the gap)."""
    kept = []
    for other, score in neighbours:
        if other in gone:
            continue
        if other in mine:
            if owner is None:  # the owner itself is no longer public: its list goes unread
                continue
            score = vectors.cosine(owner, mine[other])
            if score < MIN_SCORE:
                continue
        kept.append((other, score))
    return sorted(kept, key=lambda pair: -pair[1])


def _enter(neighbours: Neighbours, newcomer: int, score: float) -> Neighbours:
    """The list with `newcomer` in it if it beats the last entry (or the list has room)."""
    kept = [(k, s) for k, s in neighbours if k != newcomer]
    return sorted([*kept, (newcomer, score)], key=lambda pair: -pair[1])[:NEIGHBOURS]
