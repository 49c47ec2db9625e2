"""The stored side of similarity, for either corpus: the current fit (cached in each process
until a rebuild replaces it), the documents' vectors, the vectors refreshed since the fit (kept
in each process and topped up from the database), and the neighbour lists.

Every write happens in the caller's transaction after `lock_fit`, which locks the fit's row: the
write phases of refreshes and rebuilds of one corpus take turns (a few milliseconds each), so two
refreshes never lose each other's entries in a shared neighbour's list and a refresh computed
against a fit that a rebuild has just replaced is refused rather than stored.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from shortscience.models.similar import (
    SimilarFit,
    SimilarPaper,
    SimilarPaperVector,
    SimilarSummary,
    SimilarSummaryVector,
)
from shortscience.models.summaries import Summary, public_q
from shortscience.services import (
    pagecache,
)
from shortscience.services.similar import corpus
from shortscience.services.similar.vectors import (
    FEATURES,
    METHOD,
    Champions,
    Neighbours,
    Row,
    Vocabulary,
    stack,
    unpack,
)


@dataclass(frozen=True)
class Kind:
    name: str
    # Any: the two corpora's models have the same shape but different owner fields, which
    # django-stubs cannot express as one type.
    vector_model: Any  # SimilarPaperVector or SimilarSummaryVector
    link_model: Any  # SimilarPaper or SimilarSummary
    owner: str  # the owning foreign key of the link and vector rows: "paper" or "summary"
    documents: Callable[[Collection[int] | None], corpus.Documents]

    def stored_keys_of(self, paper_id: int) -> set[int]:
        """The documents of this paper that have a stored vector."""
        rows = self.vector_model.objects.filter(**{self._paper_path: paper_id})
        return set(rows.values_list("pk", flat=True))

    @property
    def _paper_path(self) -> str:
        return "paper_id" if self.owner == "paper" else "summary__paper_id"


PAPERS = Kind(SimilarFit.Kind.PAPERS, SimilarPaperVector, SimilarPaper, "paper", corpus.papers)
SUMMARIES = Kind(
    SimilarFit.Kind.SUMMARIES,
    SimilarSummaryVector,
    SimilarSummary,
    "summary",
    corpus.summaries_of,
)


@dataclass
class Fit:
    pk: int
    vocabulary: Vocabulary
    champions: Champions
    # Vectors refreshed since the fit, as last read: key -> (updated_at, vector).
    refreshed: dict[int, tuple[datetime, Row]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    fitted_at: datetime | None = None

    width: int = FEATURES


# One per corpus and process: the vocabulary and index are read once per fit, not per refresh.
_fits: dict[str, Fit] = {}


def current_fit(kind: Kind) -> Fit | None:
    """The corpus's fit, unless there is none or it was made another way (then refit)."""
    found = (
        SimilarFit.objects.filter(kind=kind.name, method=METHOD)
        .values_list("pk", "fitted_at")
        .first()
    )
    if found is None:
        return None
    pk, fitted_at = found
    cached = _fits.get(kind.name)
    # The time as well as the id: SQLite gives a rolled-back row's id to the next row.
    if cached is None or (cached.pk, cached.fitted_at) != (pk, fitted_at):
        row = SimilarFit.objects.get(pk=pk)
        cached = Fit(
            pk,
            Vocabulary.from_bytes(row.idf),
            Champions.from_bytes(row.champions),
            fitted_at=fitted_at,
        )
        _fits[kind.name] = cached
    return cached


def refreshed_since_fit(kind: Kind, fit: Fit) -> tuple[list[int], Any]:
    """The vectors refreshed since the fit (which its index does not know), topped up with one
    query for the keys and timestamps and one for the rows that changed since last time."""
    seen = dict(kind.vector_model.objects.filter(refreshed=True).values_list("pk", "updated_at"))
    with fit.lock:
        for key in set(fit.refreshed) - set(seen):
            del fit.refreshed[key]
        changed = [
            k for k, at in seen.items() if k not in fit.refreshed or fit.refreshed[k][0] != at
        ]
        if changed:
            rows = kind.vector_model.objects.filter(pk__in=changed)
            for key, at, blob in rows.values_list("pk", "updated_at", "vector"):
                fit.refreshed[key] = (at, unpack(blob))
        keys = list(fit.refreshed)
        return keys, stack([fit.refreshed[k][1] for k in keys], fit.width)


def vectors(kind: Kind, keys: Iterable[int]) -> dict[int, tuple[int, Row]]:
    """key -> (paper, vector) of those documents that are still public."""
    rows = kind.vector_model.objects.filter(pk__in=list(keys))
    if kind is PAPERS:
        public = Summary.objects.public().filter(paper=OuterRef("pk"))
        found = rows.filter(Exists(public)).values_list("pk", "pk", "vector")
    else:
        found = rows.filter(public_q("summary__")).values_list("pk", "summary__paper_id", "vector")
    return {key: (group, unpack(blob)) for key, group, blob in found}


def lists(kind: Kind, keys: Collection[int]) -> dict[int, Neighbours]:
    """The stored neighbour lists of these documents, best first (empty when none)."""
    found: dict[int, Neighbours] = defaultdict(list)
    column = f"{kind.owner}_id"
    rows = kind.link_model.objects.filter(**{f"{column}__in": list(keys)}).order_by("rank")
    for key, other, score in rows.values_list(column, "similar_id", "score"):
        found[key].append((other, score))
    return {key: found[key] for key in keys}


def owners_of(kind: Kind, keys: Collection[int]) -> set[int]:
    """The documents whose stored lists name any of these."""
    rows = kind.link_model.objects.filter(similar_id__in=list(keys))
    return set(rows.values_list(f"{kind.owner}_id", flat=True))


def lock_fit(kind: Kind, pk: int) -> bool:
    """Take the corpus's write turn (inside a transaction); False if the fit was replaced."""
    return SimilarFit.objects.select_for_update().filter(kind=kind.name, pk=pk).exists()


def write_lists(kind: Kind, found: dict[int, Neighbours]) -> None:
    column = f"{kind.owner}_id"
    _touch_pages(kind, found)
    kind.link_model.objects.filter(**{f"{column}__in": list(found)}).delete()
    # ignore_conflicts: rows equal to what another writer stored are no error (idempotence).
    kind.link_model.objects.bulk_create(
        (
            kind.link_model(**{column: key, "similar_id": other, "score": score, "rank": rank})
            for key, neighbours in found.items()
            for rank, (other, score) in enumerate(neighbours, 1)
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )


def _touch_pages(kind: Kind, found: Collection[int]) -> None:
    """The paper pages that show these lists change: tell the page cache."""
    if kind.owner == "paper":
        paper_ids = set(found)
    else:
        paper_ids = set(
            Summary.objects.filter(pk__in=list(found)).values_list("paper_id", flat=True)
        )
    pagecache.touch(*(pagecache.paper(pk) for pk in paper_ids))


def write_vectors(kind: Kind, blobs: dict[int, bytes], removed: Collection[int]) -> None:
    """Store refreshed vectors (replacing any) and forget documents that left the corpus."""
    model = kind.vector_model
    model.objects.filter(pk__in=[*blobs, *removed]).delete()
    model.objects.bulk_create(
        model(**{f"{kind.owner}_id": key, "vector": blob, "refreshed": True})
        for key, blob in blobs.items()
    )


def replace_all(
    kind: Kind,
    vocabulary: Vocabulary,
    champions: Champions,
    blobs: dict[int, bytes],
    found: dict[int, Neighbours],
) -> None:
    """A rebuild's result replaces everything stored for the corpus (inside a transaction)."""
    old = SimilarFit.objects.select_for_update().filter(kind=kind.name)
    list(old.values_list("pk", flat=True))  # wait for refreshes in their write phase
    old.delete()
    kind.vector_model.objects.all().delete()
    kind.link_model.objects.all().delete()
    SimilarFit.objects.create(
        kind=kind.name,
        fitted_at=timezone.now(),
        documents=len(blobs),
        method=METHOD,
        idf=vocabulary.to_bytes(),
        champions=champions.to_bytes(),
    )
    model = kind.vector_model
    model.objects.bulk_create(
        (model(**{f"{kind.owner}_id": key, "vector": blob}) for key, blob in blobs.items()),
        batch_size=2000,
    )
    write_lists(kind, found)
