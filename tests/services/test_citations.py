"""Citations of a paper (services/citations.py): BibTeX that BibTeX reads back, plain text, the
PDF link, the venue's kind and the descriptions pages share."""

from __future__ import annotations

from typing import Any

import pytest

from shortscience.metadata.bibtex import parse_bibtex
from shortscience.models import PaperIdentifier, Venue
from shortscience.services import citations
from tests.factories import make_paper, make_summary

pytestmark = pytest.mark.django_db

HOSTILE = 'Breaking {out}} of $x_1$ & 100% "quotes" </script> #1 ~ ^ \\end'


def cite(**changes: Any) -> citations.Citation:
    fields: dict[str, Any] = {
        "paper_id": 7,
        "title": "Attention Is All You Need",
        "authors": ("Ashish Vaswani", "Noam Shazeer"),
        "year": 2017,
        "venue": "Neural Information Processing Systems",
        "venue_kind": "conference",
        "doi": "",
        "arxiv_id": "1706.03762",
        "pdf_url": "https://arxiv.org/pdf/1706.03762",
        "url": "https://shortscience.example/papers/7/",
        "same_as": ("https://arxiv.org/abs/1706.03762",),
    }
    fields.update(changes)
    return citations.Citation(**fields)


def test_a_conference_paper_is_an_inproceedings_entry_that_bibtex_reads_back():
    text = citations.bibtex(cite())
    assert text.startswith("@inproceedings{vaswani2017attention,\n")
    (entry,) = parse_bibtex(text)
    assert entry.title == "Attention Is All You Need"
    assert entry.authors == ["Ashish Vaswani", "Noam Shazeer"]
    assert entry.year == 2017
    assert [(i.scheme.value, i.value) for i in entry.identifiers] == [("arxiv", "1706.03762")]


def test_a_journal_paper_is_an_article_and_an_arxiv_only_paper_is_misc():
    assert citations.bibtex(cite(venue="JMLR", venue_kind="journal")).startswith("@article{")
    assert "journal = {JMLR}" in citations.bibtex(cite(venue="JMLR", venue_kind="journal"))
    assert citations.bibtex(cite(venue="", venue_kind="")).startswith("@misc{")


def test_hostile_titles_stay_inside_their_field_and_the_entry_still_parses():
    text = citations.bibtex(cite(title=HOSTILE, authors=("Ben and Jerry", "José Ñúñez")))
    title_line = next(line for line in text.splitlines() if line.startswith("  title"))
    body = title_line.split("=", 1)[1]
    assert body.count("{") == body.count("}")
    for escaped in (r"\$x\_1\$", r" \& ", r"100\%", r"\#1", r"\textbackslash{}end"):
        assert escaped in title_line
    (entry,) = parse_bibtex(text)
    assert entry.title.startswith("Breaking")
    assert entry.title.endswith("end")
    assert entry.authors == ["Ben and Jerry", "José Ñúñez"]  # " and " kept inside one name
    assert entry.year == 2017


def test_the_key_is_plain_ascii_and_never_empty():
    assert citations.bibtex_key(cite(authors=("José Ñúñez",), title="Über alles")) == (
        "nunez2017uber"
    )
    assert citations.bibtex_key(cite(authors=(), title="!!!", year=None)) == "paper7"


def test_verbatim_fields_keep_their_characters_but_never_a_brace():
    text = citations.bibtex(cite(doi="10.1000/ab_c{x}"))
    assert "doi = {10.1000/ab_c%7Bx%7D}" in text


def test_the_plain_text_citation_names_authors_year_title_venue_and_links():
    assert citations.plain_text(cite(doi="10.5555/3295222")) == (
        "Ashish Vaswani, Noam Shazeer (2017). Attention Is All You Need. Neural Information "
        "Processing Systems. https://doi.org/10.5555/3295222 arXiv:1706.03762 "
        "https://shortscience.example/papers/7/"
    )


def test_the_pdf_is_arxivs_or_a_metadata_url_that_is_a_pdf():
    paper = make_paper(url="https://example.org/paper.pdf")
    assert citations.citation(paper, paper.identifiers.all()).pdf_url.startswith(
        "https://arxiv.org/pdf/1706."
    )
    PaperIdentifier.objects.filter(paper=paper).delete()
    openreview = PaperIdentifier(paper=paper, scheme="openreview", value="rJXMpikCZ")
    assert citations.citation(paper, [openreview]).pdf_url == (
        "https://openreview.net/pdf?id=rJXMpikCZ"
    )
    assert citations.citation(paper, []).pdf_url == "https://example.org/paper.pdf"
    paper.url = "https://example.org/landing"
    assert citations.citation(paper, []).pdf_url == ""


def test_the_venue_kind_comes_from_the_venue_and_arxiv_is_no_venue():
    journal = make_paper(venue=Venue.objects.create(key="JMLR", name="J. Mach. Learn. Res."))
    conference = make_paper(venue=Venue.objects.create(key="ICLR", name="ICLR"))
    preprint = make_paper(venue=Venue.objects.create(key="arXiv cs.LG", name="arXiv cs.LG"))
    assert citations.citation(journal, []).venue_kind == "journal"
    assert citations.citation(conference, []).venue_kind == "conference"
    unpublished = citations.citation(preprint, [])
    assert (unpublished.venue, unpublished.venue_kind) == ("", "")


def test_the_first_sentence_is_one_line_and_bounded():
    assert citations.first_sentence("We study\nthings. Then more.") == "We study things."
    assert citations.first_sentence("") == ""
    assert len(citations.first_sentence("word " * 200)) <= citations.DESCRIPTION_MAX


def test_the_paper_description_falls_back_to_the_top_public_summary_only():
    paper = make_paper()
    paper.abstract = ""
    draft = make_summary(paper=paper, markdown="Secret draft words.", publish=False)
    private = make_summary(paper=paper, markdown="Private words.", private=True)
    shared = citations.for_paper_page(paper, [], [draft, private])
    assert shared.description == ""
    public = make_summary(paper=paper, markdown="**Public** words here. And more.")
    shared = citations.for_paper_page(paper, [], [draft, private, public])
    assert shared.description == "Public words here."


def test_an_anonymous_summary_names_no_author_and_a_private_one_shares_only_a_title():
    paper = make_paper()
    anonymous = make_summary(paper=paper, anonymous=True)
    assert "author" not in citations.for_summary_page(anonymous, paper).json_ld
    private = make_summary(paper=paper, private=True)
    shared = citations.for_summary_page(private, paper)
    assert (shared.public, shared.description, shared.url, shared.json_ld) == (False, "", "", {})
