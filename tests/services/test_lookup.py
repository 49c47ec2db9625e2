"""The add flow's rules in services/lookup.py that need no network (the sources' answers are
tested through the add page with recorded responses: tests/views/test_add.py)."""

from __future__ import annotations

import pytest

from shortscience.services import lookup
from shortscience.services.errors import InvalidInput

TWO_ENTRIES = """
@article{first, title={Attention Is All You Need}, author={Vaswani, Ashish}, year={2017}}
@inproceedings{second, title={Another One}, author={Doe, Jane}, year={2020}}
"""


@pytest.mark.parametrize(
    ("text", "bibtex"),
    [("@article{x,}", True), ("  \n@misc{y}", True), ("1706.03762", False), ("a @ title", False)],
)
def test_pasted_bibtex_is_told_from_a_search(text, bibtex):
    assert lookup.looks_like_bibtex(text) is bibtex


def test_the_first_entry_of_pasted_bibtex_is_the_paper():
    paper = lookup.from_bibtex(TWO_ENTRIES)
    assert paper.title == "Attention Is All You Need"
    assert paper.year == 2017


def test_unreadable_or_empty_bibtex_says_so():
    with pytest.raises(InvalidInput, match="could not be read"):
        lookup.from_bibtex("@article{oops, title={unclosed")
    with pytest.raises(InvalidInput, match="no BibTeX entry"):
        lookup.from_bibtex("just some words")
