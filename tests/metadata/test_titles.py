"""The folded title two records of one work share (metadata/titles.py)."""

from __future__ import annotations

import pytest

from shortscience.metadata.titles import title_key


@pytest.mark.parametrize(
    "variant",
    [
        "Attention is all you need",
        "ATTENTION IS ALL YOU NEED.",
        "  Attention  is all\nyou need!",
        "Attention-is all: you need",
    ],
)
def test_case_punctuation_and_whitespace_fold_away(variant):
    assert title_key(variant) == "attention is all you need"


def test_accents_and_bibtex_braces_fold_away():
    assert title_key("{BERT}: Über Schrödinger") == title_key("BERT - Uber Schrodinger")


def test_other_scripts_keep_their_letters_and_different_titles_differ():
    assert title_key("深度学习") == "深度学习"
    assert title_key("Attention is all you need") != title_key("Attention is not all you need")
