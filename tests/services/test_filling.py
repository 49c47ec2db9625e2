"""Filling a paper's missing metadata from a source's answer (services/filling.py), the rule the
refresh and the add flow share: what a paper lacks is filled, nothing a person filled in is
replaced, a preview writes nothing, and a fill bumps the paper's cached pages."""

from __future__ import annotations

import pytest

from shortscience.metadata.types import Identifier, PaperMetadata, Scheme
from shortscience.models import Paper, PaperIdentifier
from shortscience.services import filling, pagecache
from tests.factories import make_paper

pytestmark = pytest.mark.django_db

ATTENTION = PaperMetadata(
    title="Attention Is All You Need",
    authors=["Ashish Vaswani", "Noam Shazeer"],
    year=2017,
    abstract="The dominant sequence transduction models...",
    url="https://arxiv.org/abs/1706.03762",
    categories=["cs.CL", "cs.LG"],
    identifiers=[Identifier(Scheme.ARXIV, "1706.03762")],
    source="arxiv",
)


def _placeholder(key: str = "1706.03762", scheme: str = "arxiv") -> Paper:
    paper = Paper.objects.create(title=key, metadata_source=Paper.PLACEHOLDER)
    PaperIdentifier.objects.create(paper=paper, scheme=scheme, value=key)
    return paper


def _idents(paper: Paper) -> list[PaperIdentifier]:
    return list(paper.identifiers.all())


@pytest.mark.parametrize(
    ("title", "shaped"),
    [("1706.03762", True), ("", True), ("conf/iccv/Girshick15", True), ("Word2Vec", False)],
)
def test_a_title_that_is_a_key_is_no_title(title, shaped):
    paper = Paper.objects.create(title=title, authors=["A. B."], year=2017)
    PaperIdentifier.objects.create(paper=paper, scheme="arxiv", value="1706.03762")
    assert filling.key_shaped(paper, _idents(paper)) is shaped
    assert filling.wants(paper, _idents(paper)) is shaped


def test_placeholders_and_papers_without_authors_or_a_year_want_filling_complete_ones_not():
    assert filling.wants(_placeholder(), [])
    complete = make_paper("A complete paper")
    assert not filling.wants(complete, _idents(complete))
    no_year = make_paper("A paper without a year", year=None)
    assert filling.wants(no_year, _idents(no_year))


def test_the_preview_names_what_would_be_filled_and_writes_nothing():
    paper = _placeholder()
    before = Paper.objects.values().get(pk=paper.pk)
    fields = filling.fillable(paper, _idents(paper), ATTENTION)
    assert fields == [
        *("title", "authors", "year", "abstract", "url", "categories", "field", "venue")
    ]
    assert filling.in_words(fields) == (
        "title, authors, year, abstract, link, arXiv categories and venue"
    )
    assert Paper.objects.values().get(pk=paper.pk) == before


def test_a_placeholder_is_filled_and_its_pages_are_no_longer_served_from_the_cache():
    paper = _placeholder()
    tags = [pagecache.paper(paper.pk), pagecache.LISTS]
    cached = pagecache.versions(tags)
    done = filling.fill(paper, ATTENTION)
    assert done.paper is not None and done.paper.title == "Attention Is All You Need"
    paper.refresh_from_db()
    assert paper.title == "Attention Is All You Need"
    assert paper.title_key == "attention is all you need"
    assert paper.authors == ["Ashish Vaswani", "Noam Shazeer"] and paper.year == 2017
    assert paper.field == "cs" and paper.metadata_source == "arxiv"
    assert paper.venue is not None and paper.venue.key == "arXiv cs.CL"
    assert paper.metadata_check == Paper.Check.UPDATED
    assert paper.metadata_need == Paper.NEED_COMPLETE
    # The arXiv id's aliases join it, so /doi/10.48550/arXiv.1706.03762 reaches it too.
    assert paper.identifiers.filter(scheme="doi", value="10.48550/arxiv.1706.03762").exists()
    assert "identifiers" in done.filled
    new = pagecache.versions(tags)
    assert all(before != after for before, after in zip(cached, new, strict=True))


def test_what_a_person_filled_in_is_kept():
    paper = Paper.objects.create(title="Attention (as our admin wrote it)", authors=["A. V."])
    PaperIdentifier.objects.create(paper=paper, scheme="arxiv", value="1706.03762")
    done = filling.fill(paper, ATTENTION)
    paper.refresh_from_db()
    assert paper.title == "Attention (as our admin wrote it)" and paper.authors == ["A. V."]
    assert paper.year == 2017 and "title" not in done.filled


def test_a_title_and_names_from_a_source_are_one_line():
    paper = _placeholder()
    dirty = PaperMetadata(
        title="Evil\u202e title\x07 here", authors=["Ada\u202e\nLovelace"], source="arxiv"
    )
    filling.fill(paper, dirty)
    paper.refresh_from_db()
    assert paper.title == "Evil title here" and paper.authors == ["Ada Lovelace"]


def test_a_source_naming_a_placeholders_identifier_fills_it_and_no_other():
    paper, other = _placeholder(), _placeholder("conf/iccv/Girshick15", "dblp")
    filling.fill_holders(ATTENTION)
    paper.refresh_from_db()
    other.refresh_from_db()
    assert paper.title == "Attention Is All You Need"
    assert other.title == "conf/iccv/Girshick15"


def test_a_paper_merged_away_meanwhile_is_not_filled():
    paper = _placeholder()
    Paper.objects.filter(pk=paper.pk).delete()
    assert filling.fill(paper, ATTENTION).paper is None
