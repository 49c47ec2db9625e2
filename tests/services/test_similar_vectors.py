"""The numbers behind similarity, without a database: a stored fit transforms new text as the
fit did, the candidate index survives storage, and the candidate search finds the exact best."""

from __future__ import annotations

import random

import numpy as np

from shortscience.services.similar import vectors

WORDS = [f"w{n}" for n in range(300)]


def corpus(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    topics = [rng.sample(WORDS, 30) for _ in range(8)]
    return [" ".join(rng.choice(topics[n % 8]) for _ in range(80)) for n in range(count)]


def test_the_stored_fit_transforms_a_document_as_the_fit_did():
    texts = corpus(40)
    vocabulary, matrix = vectors.fit(texts)
    again = vectors.Vocabulary.from_bytes(vocabulary.to_bytes()).transform(texts[:3])
    assert np.allclose(again.toarray(), matrix[:3].toarray(), atol=1e-6)


def test_rows_are_unit_vectors_and_a_vector_survives_packing():
    _, matrix = vectors.fit(corpus(10))
    row = vectors.rows_of(matrix)[4]
    assert vectors.cosine(row, row) == 1.0
    columns, weights = vectors.unpack(vectors.pack(row))
    assert list(columns) == list(row[0])
    assert np.allclose(weights, row[1])


def test_the_candidate_index_survives_storage():
    _, matrix = vectors.fit(corpus(30))
    index = vectors.Champions.build(matrix, list(range(100, 130)), per_term=4)
    stored = vectors.Champions.from_bytes(index.to_bytes())
    assert (stored.postings != index.postings).nnz == 0
    assert list(stored.keys) == list(index.keys)
    assert max(np.diff(index.postings.indptr)) <= 4  # the heaviest documents of each term only


def test_the_candidate_search_finds_the_exact_best_neighbours_of_a_small_corpus():
    _, matrix = vectors.fit(corpus(60))
    keys = list(range(60))
    index = vectors.Champions.build(matrix, keys)
    found = vectors.all_neighbours(matrix, keys, keys, index)
    for key, row in enumerate(vectors.rows_of(matrix)):
        exact = vectors.best_neighbours(row, key, key, matrix, keys, keys)
        assert found[key] == exact


def test_an_empty_corpus_fits_to_nothing():
    vocabulary, matrix = vectors.fit([])
    assert matrix.shape[0] == 0
    assert vectors.all_neighbours(matrix, [], [], vectors.Champions.build(matrix, [])) == {}
    assert vocabulary.transform([]).shape[0] == 0
