"""services/identifiers.py: finding a paper by any of its names, and the keys that name it to
the old site and to another ShortScience."""

from __future__ import annotations

import pytest

from shortscience.models import Paper, PaperIdentifier
from shortscience.services import identifiers

pytestmark = pytest.mark.django_db


def paper_with(*pairs: tuple[str, str]) -> Paper:
    paper = Paper.objects.create(title="Attention Is All You Need")
    for scheme, value in pairs:
        PaperIdentifier.objects.create(paper=paper, scheme=scheme, value=value)
    return paper


def test_a_paper_is_found_by_any_form_of_its_arxiv_id():
    paper = paper_with(("arxiv", "1706.03762"))
    for key in ("1706.03762", "arXiv:1706.03762v5", "https://arxiv.org/abs/1706.03762"):
        assert identifiers.find_paper(key) == paper, key
    assert identifiers.find_paper("2101.00001") is None
    assert identifiers.find_papers(["1706.03762", "nothing"]) == {"1706.03762": paper.pk}


def test_the_old_sites_key_prefers_the_stored_one_then_the_arxiv_derived_then_dblp():
    stored = paper_with(("legacy", "journals/corr/VaswaniSPUJGKP17"), ("arxiv", "1706.03762"))
    assert identifiers.old_site_key(stored.identifiers.all()) == "journals/corr/VaswaniSPUJGKP17"
    derived = paper_with(("arxiv", "1810.04805"), ("dblp", "conf/naacl/DevlinCLT19"))
    assert identifiers.old_site_key(derived.identifiers.all()) == "journals/corr/1810.04805"
    dblp = paper_with(("dblp", "conf/nips/Chen17"))
    assert identifiers.old_site_key(dblp.identifiers.all()) == "conf/nips/Chen17"
    assert identifiers.old_site_key(paper_with().identifiers.all()) == ""


def test_the_portable_key_is_the_best_identifier_another_site_can_resolve():
    both = paper_with(("doi", "10.1000/xyz"), ("arxiv", "1706.03762"))
    assert identifiers.portable_key(both.identifiers.all()) == "1706.03762"
    review = paper_with(("openreview", "rJ4km2R5t7"))
    assert identifiers.portable_key(review.identifiers.all()) == "openreview:rJ4km2R5t7"
    assert identifiers.portable_key(paper_with().identifiers.all()) is None
