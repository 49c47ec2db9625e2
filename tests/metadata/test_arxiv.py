"""arXiv Atom feeds, recorded under tests/data/metadata/arxiv/, parsed into PaperMetadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from shortscience.metadata import arxiv
from shortscience.metadata.http import FetchError, MalformedResponse
from shortscience.metadata.types import Identifier, Scheme

DATA = Path(__file__).resolve().parents[1] / "data" / "metadata" / "arxiv"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


class RecordedFetch:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.calls: list[tuple[str, dict[str, str]]] = []

    def __call__(self, url: str, params: dict[str, str]) -> bytes:
        self.calls.append((url, params))
        return self.body


def test_a_new_style_entry_gives_title_authors_year_abstract_and_categories():
    [paper] = arxiv.parse_feed(load("id_list_1706.03762.xml"))
    assert paper.title == "Attention Is All You Need"
    assert paper.authors[:2] == ["Ashish Vaswani", "Noam Shazeer"]
    assert len(paper.authors) == 8
    assert paper.authors[-1] == "Illia Polosukhin"
    assert paper.year == 2017
    assert paper.categories == ["cs.CL", "cs.LG"]
    assert paper.url == "https://arxiv.org/abs/1706.03762"
    assert paper.source == "arxiv"
    assert paper.venue == "arXiv cs.CL"


def test_the_arxiv_id_drops_the_version_into_its_own_field():
    [paper] = arxiv.parse_feed(load("id_list_1706.03762.xml"))
    assert paper.identifiers == [Identifier(Scheme.ARXIV, "1706.03762", 7)]


def test_hard_wrapped_abstracts_are_collapsed_to_single_spaces():
    [paper] = arxiv.parse_feed(load("id_list_1706.03762.xml"))
    assert paper.abstract.startswith("The dominant sequence transduction models are based on")
    assert "recurrent or convolutional neural networks" in paper.abstract
    assert "\n" not in paper.abstract
    assert "  " not in paper.abstract
    assert paper.abstract.endswith("with large and limited training data.")


def test_hard_wrapped_titles_are_collapsed():
    [paper] = arxiv.parse_feed(load("search_ti_bert.xml"))
    assert paper.title == (
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    )
    assert paper.identifiers == [Identifier(Scheme.ARXIV, "1810.04805", 2)]


def test_an_old_style_id_with_doi_and_journal_ref_in_the_newer_feed_layout():
    [paper] = arxiv.parse_feed(load("id_list_hep-th_9711200.xml"))
    assert paper.title == "The Large N Limit of Superconformal Field Theories and Supergravity"
    assert paper.authors == ["Juan M. Maldacena"]
    assert paper.year == 1997
    assert paper.identifiers == [
        Identifier(Scheme.ARXIV, "hep-th/9711200", 3),
        Identifier(Scheme.DOI, "10.1023/a:1026654312961"),
    ]
    assert paper.categories == ["hep-th"]
    assert paper.url == "https://arxiv.org/abs/hep-th/9711200"
    assert paper.venue == "arXiv hep-th"  # the journal ref names no venue we know
    assert paper.abstract.startswith("We show that the large $N$ limit")


def test_the_error_entry_for_a_bad_id_is_not_a_paper():
    body = load("error_incorrect_id.xml")
    assert arxiv.parse_feed(body) == []
    assert arxiv.feed_errors(body) == ["incorrect id format for 1234.12345"]


def test_an_empty_feed_has_no_papers():
    assert arxiv.parse_feed(load("empty.xml")) == []
    assert arxiv.feed_errors(load("empty.xml")) == []


def test_a_plain_text_throttling_answer_is_a_malformed_response():
    with pytest.raises(MalformedResponse):
        arxiv.parse_feed(b"Rate exceeded.")


def test_xml_that_is_not_an_atom_feed_is_a_malformed_response():
    with pytest.raises(MalformedResponse, match="not an Atom feed"):
        arxiv.parse_feed(b"<html><body>busy</body></html>")


def test_entity_declarations_are_refused():
    body = b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaa">]><feed>&a;</feed>'
    with pytest.raises(MalformedResponse, match="entity"):
        arxiv.parse_feed(body)


def test_acm_and_msc_class_terms_are_not_categories():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
      <entry><id>https://arxiv.org/abs/0704.0001v2</id><title>T</title>
      <published>2007-04-02T19:18:42Z</published>
      <arxiv:primary_category term="stat.ML"/><category term="stat.ML"/>
      <category term="cs.LG"/><category term="I.2.6; I.5.1"/><category term="68T05"/>
      </entry></feed>"""
    [paper] = arxiv.parse_feed(body)
    assert paper.categories == ["stat.ML", "cs.LG"]
    assert paper.venue == "arXiv stat.ML"


def test_a_journal_ref_naming_a_known_venue_sets_the_venue():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
      <entry><id>http://arxiv.org/abs/1512.03385v1</id><title>Deep Residual Learning</title>
      <arxiv:journal_ref>CVPR 2016</arxiv:journal_ref><arxiv:primary_category term="cs.CV"/>
      </entry></feed>"""
    [paper] = arxiv.parse_feed(body)
    assert paper.venue == "CVPR"
    assert paper.year is None


def test_fetch_by_id_asks_the_export_api_for_that_id():
    fetch = RecordedFetch(load("id_list_1706.03762.xml"))
    paper = arxiv.fetch_by_id(fetch, "1706.03762")
    assert paper is not None
    assert paper.title == "Attention Is All You Need"
    assert fetch.calls == [
        (arxiv.API_URL, {"id_list": "1706.03762", "max_results": "1"}),
    ]


def test_fetch_by_id_with_a_versioned_identifier_asks_for_that_version():
    fetch = RecordedFetch(load("id_list_1706.03762.xml"))
    arxiv.fetch_by_id(fetch, Identifier(Scheme.ARXIV, "1706.03762", 3))
    assert fetch.calls[0][1]["id_list"] == "1706.03762v3"


def test_fetch_by_id_for_a_bad_id_is_none():
    assert arxiv.fetch_by_id(RecordedFetch(load("error_incorrect_id.xml")), "1234.12345") is None


def test_fetch_errors_pass_through_to_the_caller():
    def failing(url: str, params: dict[str, str]) -> bytes:
        raise FetchError("Service Unavailable", url, 503)

    with pytest.raises(FetchError):
        arxiv.fetch_by_id(failing, "1706.03762")


def test_a_title_search_quotes_the_title_without_punctuation():
    fetch = RecordedFetch(load("search_ti_bert.xml"))
    papers = arxiv.search_by_title(fetch, "BERT: Pre-training of Deep Bidirectional Transformers")
    assert [p.identifiers[0].value for p in papers] == ["1810.04805"]
    assert fetch.calls[0][1] == {
        "search_query": 'ti:"BERT Pre training of Deep Bidirectional Transformers"',
        "start": "0",
        "max_results": "5",
    }


def test_an_empty_title_search_makes_no_request():
    fetch = RecordedFetch(b"")
    assert arxiv.search_by_title(fetch, "   ") == []
    assert fetch.calls == []
