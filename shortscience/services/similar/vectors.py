"""The numbers behind similarity, with no database: fitting TF-IDF, transforming a changed
document with a stored vocabulary, the candidate index (each term's heaviest documents), and
choosing a document's best neighbours among candidates by exact cosine.

Why candidates: an exact search compares a document with every other one, which is what made
a refresh cost seconds at 10,000 summaries. Here a document is compared exactly only with the
CANDIDATES documents that score best through its TERMS_PER_QUERY heaviest terms, each term
contributing only its POSTINGS_PER_TERM heaviest documents (the "champion lists" of Manning,
Raghavan and Schütze, Introduction to Information Retrieval, 7.1.3). A query costs at most
TERMS_PER_QUERY x POSTINGS_PER_TERM postings plus CANDIDATES dot products, whatever the corpus
size. The full rebuild uses the same search, so a refresh finds what a rebuild would.
"""

from __future__ import annotations

import functools
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # scipy ships no stubs

NEIGHBOURS = 5
# Below this cosine two texts share little more than common words; better to show nothing.
MIN_SCORE = 0.05
# Measured at 71,000 papers (bench/bench_similar.py data): 128 postings and 48 candidates found
# 0.46 of the exact top five (0.986 of their summed cosine) in 6 ms a query; 512 and 96 find
# 0.99 in 12 ms; doubling again gains nothing. At 7,000 papers most terms have fewer documents
# than that and the search is nearly exhaustive among documents sharing heavy terms.
TERMS_PER_QUERY = 64
POSTINGS_PER_TERM = 512
CANDIDATES = 96
# Terms are hashed, not looked up: a changed document is transformed without loading a
# vocabulary, and a rebuild does not build and sort a dictionary of millions of bigrams (6-7x
# the time of the hashing itself at 10,000 documents). The fit keeps an IDF per hashed term.
FEATURES = 2**20
ANALYSIS: dict[str, Any] = {"ngram_range": (1, 2), "stop_words": "english"}
MAX_TERMS = 200_000  # as max_features did: the most frequent terms; the rest weigh nothing
# Stored with each fit; a fit made with other settings is refitted rather than mixed with.
METHOD = f"tfidf-hash{FEATURES.bit_length() - 1}-uni-bi-{MAX_TERMS}"

Neighbours = list[tuple[int, float]]  # (key, cosine), best first
# One document's vector: its sorted term columns and their weights. Plain arrays, not one-row
# scipy matrices, which cost a fifth of a millisecond each to construct and check.
Row = tuple[Any, Any]


@functools.cache
def _hasher() -> Any:
    # Imported here: scikit-learn takes a second to import; web requests never need it. The
    # hasher holds no state, so one serves every thread.
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=FEATURES, alternate_sign=False, norm=None, dtype=np.float32, **ANALYSIS
    )


def _counts(texts: Sequence[str]) -> Any:
    if not texts:  # the hasher cannot take an empty list
        return sparse.csr_matrix((0, FEATURES), dtype=np.float32)
    return _hasher().transform(texts).tocsr()


@dataclass
class Vocabulary:
    """The IDF of each hashed term in the last fit (0 for terms it did not keep); transforms
    new text as the fit would have: sublinear tf x idf, L2-normalised."""

    idf: Any  # float32, FEATURES long

    def transform(self, texts: Sequence[str]) -> Any:
        """L2-normalised TF-IDF rows (CSR, float32); terms the fit did not keep (new words)
        weigh nothing until the next rebuild."""
        return self._weigh(_counts(texts))

    def _weigh(self, counts: Any) -> Any:
        counts.data = 1 + np.log(counts.data)
        counts.data *= self.idf[counts.indices]
        counts.eliminate_zeros()
        return _normalise(counts)

    def to_bytes(self) -> bytes:
        return zlib.compress(self.idf.astype(np.float32).tobytes())

    @classmethod
    def from_bytes(cls, blob: bytes | memoryview) -> Vocabulary:
        return cls(np.frombuffer(zlib.decompress(bytes(blob)), dtype=np.float32))


def fit(texts: Sequence[str]) -> tuple[Vocabulary, Any]:
    """Fit TF-IDF on a corpus (smoothed IDF, as scikit-learn's): its IDF and the corpus's rows."""
    counts = _counts(texts)
    frequency = np.bincount(counts.indices, minlength=FEATURES)
    idf = (np.log((1 + len(texts)) / (1 + frequency)) + 1).astype(np.float32)
    kept = frequency > 0
    if kept.sum() > MAX_TERMS:
        kept[:] = False
        kept[np.argpartition(-frequency, MAX_TERMS)[:MAX_TERMS]] = True
    idf[~kept] = 0
    vocabulary = Vocabulary(idf)
    return vocabulary, vocabulary._weigh(counts)


def _normalise(rows: Any) -> Any:
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    normalised = sparse.csr_matrix(sparse.diags(1 / norms) @ rows, dtype=np.float32)
    normalised.sort_indices()
    return normalised


def rows_of(matrix: Any) -> list[Row]:
    """The rows of a CSR matrix with sorted indices, as arrays (views, no copies)."""
    p = matrix.indptr
    return [
        (matrix.indices[p[i] : p[i + 1]], matrix.data[p[i] : p[i + 1]]) for i in range(len(p) - 1)
    ]


# --- Stored vectors -------------------------------------------------------------------------


def pack(row: Row) -> bytes:
    """A vector as bytes: int32 columns, then float32 weights."""
    packed: bytes = row[0].astype(np.int32).tobytes() + row[1].astype(np.float32).tobytes()
    return packed


def unpack(blob: bytes | memoryview) -> Row:
    raw = bytes(blob)
    n = len(raw) // 8
    return np.frombuffer(raw[: 4 * n], dtype=np.int32), np.frombuffer(
        raw[4 * n :], dtype=np.float32
    )


def stack(rows: Sequence[Row], width: int = FEATURES) -> Any:
    """Vectors as one CSR matrix."""
    if not rows:
        return sparse.csr_matrix((0, width), dtype=np.float32)
    indptr = np.concatenate([[0], np.cumsum([len(columns) for columns, _ in rows])])
    indices = np.concatenate([columns for columns, _ in rows])
    data = np.concatenate([weights for _, weights in rows])
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), width))


def dot(rows: Any, query: Row, scratch: Any = None) -> Any:
    """Each row's dot product with the query, touching only the rows' entries (a gather from
    the query spread over a dense array): the obvious `rows @ query.T` transposes the query
    into arrays as long as the hashed term space on every call."""
    columns, weights = query
    if not len(columns) or not rows.nnz:
        return np.zeros(rows.shape[0])
    # A caller looping over many queries lends a zeroed array and gets it back zeroed.
    dense = np.zeros(rows.shape[1], dtype=np.float32) if scratch is None else scratch
    dense[columns] = weights
    row_of = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    scores = np.bincount(row_of, weights=rows.data * dense[rows.indices], minlength=rows.shape[0])
    dense[columns] = 0
    return scores


# --- The candidate index --------------------------------------------------------------------


@dataclass
class Champions:
    """For each term, its POSTINGS_PER_TERM heaviest documents (term rows x document columns)."""

    keys: Any  # int64: the document key of each column
    postings: Any  # CSR, terms x documents

    @classmethod
    def build(cls, matrix: Any, keys: Sequence[int], per_term: int = POSTINGS_PER_TERM) -> Any:
        by_term = matrix.T.tocsr()  # rows are terms
        keep = np.ones(by_term.nnz, dtype=bool)
        lengths = np.diff(by_term.indptr)
        for term in np.flatnonzero(lengths > per_term):  # only common terms: a few thousand
            start, end = by_term.indptr[term], by_term.indptr[term + 1]
            weakest = np.argpartition(by_term.data[start:end], -per_term)[:-per_term]
            keep[start + weakest] = False
        term_of = np.repeat(np.arange(by_term.shape[0]), lengths)
        postings = sparse.csr_matrix(
            (by_term.data[keep], (term_of[keep], by_term.indices[keep])), shape=by_term.shape
        )
        return cls(np.asarray(keys, dtype=np.int64), postings)

    def candidates(self, query: Row, count: int = CANDIDATES) -> list[int]:
        """The keys that score best through the query's heaviest terms (approximate scores)."""
        terms, weights = heaviest(query, TERMS_PER_QUERY)
        if not len(terms) or not self.postings.shape[1]:
            return []
        starts, ends = self.postings.indptr[terms], self.postings.indptr[terms + 1]
        spans = [np.arange(s, e) for s, e in zip(starts, ends, strict=True)]
        at = np.concatenate(spans)
        contribution = self.postings.data[at] * np.repeat(weights, ends - starts)
        # Summing per document over only the postings touched keeps this independent of the
        # corpus size (no array as long as the corpus).
        documents, inverse = np.unique(self.postings.indices[at], return_inverse=True)
        scores = np.bincount(inverse, weights=contribution)
        best = _top(scores, count)
        return [int(k) for k in self.keys[documents[best]]]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        p = self.postings
        np.savez_compressed(
            buffer, keys=self.keys, indptr=p.indptr, indices=p.indices, data=p.data, shape=p.shape
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes | memoryview) -> Champions:
        saved = np.load(io.BytesIO(bytes(blob)))
        shape = tuple(int(n) for n in saved["shape"])
        postings = sparse.csr_matrix((saved["data"], saved["indices"], saved["indptr"]), shape)
        return cls(saved["keys"], postings)


def heaviest(row: Row, count: int) -> Row:
    """The columns and weights of a vector's `count` largest entries."""
    columns, weights = row
    if len(weights) > count:
        keep = np.argpartition(weights, -count)[-count:]
        columns, weights = columns[keep], weights[keep]
    return columns.astype(np.int64), weights


def _top(scores: Any, count: int) -> Any:
    if len(scores) <= count:
        return np.argsort(-scores, kind="stable")
    best = np.argpartition(-scores, count)[:count]
    return best[np.argsort(-scores[best], kind="stable")]


def exhaustive(query: Row, rows: Any, keys: Sequence[int], count: int = CANDIDATES) -> list[int]:
    """The best keys among a few rows by exact cosine (the documents refreshed since the fit)."""
    if not rows.shape[0]:
        return []
    scores = dot(rows, query)
    return [int(keys[i]) for i in _top(scores, count) if scores[i] > 0]


def best_neighbours(
    query: Row, key: int, group: int, rows: Any, keys: Sequence[int], groups: Sequence[int]
) -> Neighbours:
    """The top NEIGHBOURS of a document among candidate rows: exact cosine, at least MIN_SCORE,
    never itself nor from its own paper (those are on the same page already)."""
    if not rows.shape[0]:
        return []
    return _select(dot(rows, query), keys, groups, key, group)


def _select(
    scores: Any, keys: Sequence[int], groups: Sequence[int], key: int, group: int
) -> Neighbours:
    found: Neighbours = []
    for i in np.argsort(-scores, kind="stable"):
        if scores[i] < MIN_SCORE or len(found) == NEIGHBOURS:
            break
        if keys[i] != key and groups[i] != group:
            found.append((int(keys[i]), round(float(scores[i]), 4)))
    return found


def cosine(a: Row, b: Row) -> float:
    return round(float(dot(stack([a]), b)[0]), 4)


def all_neighbours(
    matrix: Any, keys: Sequence[int], groups: Sequence[int], champions: Champions
) -> dict[int, Neighbours]:
    """Every document's neighbours by the same candidate search a refresh uses, in blocks so
    the approximate scores of a block stay a few million entries."""
    # The index was built from this matrix: its columns are the matrix's rows.
    found: dict[int, Neighbours] = {}
    for start in range(0, matrix.shape[0], 1000):
        block = matrix[start : start + 1000]
        approximate = (_prune_rows(block, TERMS_PER_QUERY) @ champions.postings).tocsr()
        chosen = []
        for offset in range(block.shape[0]):
            lo, hi = approximate.indptr[offset], approximate.indptr[offset + 1]
            chosen.append(approximate.indices[lo:hi][_top(approximate.data[lo:hi], CANDIDATES)])
        candidates = np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)
        gathered = matrix[candidates]  # one gather per block, then a slice per document
        scratch = np.zeros(matrix.shape[1], dtype=np.float32)
        at = 0
        for offset, (query, columns) in enumerate(zip(rows_of(block), chosen, strict=True)):
            row = start + offset
            scores = dot(gathered[at : at + len(columns)], query, scratch)
            at += len(columns)
            found[int(keys[row])] = _select(
                scores,
                [int(keys[c]) for c in columns],
                [int(groups[c]) for c in columns],
                int(keys[row]),
                int(groups[row]),
            )
    return found


def _prune_rows(block: Any, count: int) -> Any:
    """Each row reduced to its `count` heaviest entries (the terms a query is made of)."""
    pruned = [heaviest(row, count) for row in rows_of(block)]
    rows = np.repeat(np.arange(len(pruned)), [len(columns) for columns, _ in pruned])
    if not len(rows):
        return sparse.csr_matrix(block.shape, dtype=np.float32)
    return sparse.csr_matrix(
        (np.concatenate([w for _, w in pruned]), (rows, np.concatenate([c for c, _ in pruned]))),
        shape=block.shape,
    )
