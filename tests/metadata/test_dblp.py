"""DBLP search JSON and record XML, recorded under tests/data/metadata/dblp/, as PaperMetadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from shortscience.metadata import dblp
from shortscience.metadata.http import FetchError, MalformedResponse
from shortscience.metadata.types import Identifier, Scheme

DATA = Path(__file__).resolve().parents[1] / "data" / "metadata" / "dblp"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


class RecordedFetch:
    def __init__(self, body: bytes = b"", error: FetchError | None = None) -> None:
        self.body = body
        self.error = error
        self.calls: list[tuple[str, dict[str, str]]] = []

    def __call__(self, url: str, params: dict[str, str]) -> bytes:
        self.calls.append((url, params))
        if self.error is not None:
            raise self.error
        return self.body


def test_a_single_author_hit_is_one_object_not_a_list():
    fast, _, _ = dblp.parse_search(load("search_fast_rcnn.json"))
    assert fast.title == "Fast R-CNN"
    assert fast.authors == ["Ross B. Girshick"]
    assert fast.year == 2015
    assert fast.venue == "ICCV"
    assert fast.url == "https://dblp.org/rec/conf/iccv/Girshick15"
    assert fast.identifiers == [
        Identifier(Scheme.DBLP, "conf/iccv/Girshick15"),
        Identifier(Scheme.DOI, "10.1109/iccv.2015.169"),
    ]
    assert fast.source == "dblp"


def test_homonym_numbers_are_stripped_from_author_names():
    _, faster, _ = dblp.parse_search(load("search_fast_rcnn.json"))
    assert faster.authors == ["Shaoqing Ren", "Kaiming He", "Ross B. Girshick", "Jian Sun"]
    assert faster.venue == "TPAMI"
    assert faster.year == 2017


def test_a_corr_hit_is_venue_corr_with_the_arxiv_id_from_ee():
    _, _, corr = dblp.parse_search(load("search_fast_rcnn.json"))
    assert corr.venue == "CoRR"
    assert corr.identifiers == [
        Identifier(Scheme.DBLP, "journals/corr/Girshick15"),
        Identifier(Scheme.ARXIV, "1504.08083"),
    ]


def test_ee_and_venue_lists_are_read():
    naacl, _ = dblp.parse_search(load("search_bert.json"))
    assert naacl.venue == "NAACL"
    assert naacl.authors == ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"]
    assert naacl.identifiers == [
        Identifier(Scheme.DBLP, "conf/naacl/DevlinCLT19"),
        Identifier(Scheme.DOI, "10.18653/v1/n19-1423"),
    ]


def test_a_new_style_corr_key_gives_the_arxiv_id():
    _, corr = dblp.parse_search(load("search_bert.json"))
    assert corr.identifiers == [
        Identifier(Scheme.DBLP, "journals/corr/abs-1810-04805"),
        Identifier(Scheme.ARXIV, "1810.04805"),
    ]
    assert corr.year == 2018


def test_a_search_without_hits_is_empty():
    assert dblp.parse_search(load("search_empty.json")) == []


def test_a_search_answer_without_result_is_malformed():
    with pytest.raises(MalformedResponse):
        dblp.parse_search(b'{"error": "busy"}')


def test_an_inproceedings_record():
    paper = dblp.parse_record(load("record_conf_iccv_Girshick15.xml"))
    assert paper.title == "Fast R-CNN"
    assert paper.authors == ["Ross B. Girshick"]
    assert paper.year == 2015
    assert paper.venue == "ICCV"
    assert paper.identifiers == [
        Identifier(Scheme.DBLP, "conf/iccv/Girshick15"),
        Identifier(Scheme.DOI, "10.1109/iccv.2015.169"),
    ]


def test_a_corr_article_record_with_a_character_reference_in_a_name():
    paper = dblp.parse_record(load("record_journals_corr_VaswaniSPUJGKP17.xml"))
    assert paper.title == "Attention Is All You Need"
    assert paper.authors[6] == "\u0141ukasz Kaiser"
    assert len(paper.authors) == 8
    assert paper.venue == "CoRR"
    assert paper.identifiers == [
        Identifier(Scheme.DBLP, "journals/corr/VaswaniSPUJGKP17"),
        Identifier(Scheme.ARXIV, "1706.03762"),
    ]


def test_title_markup_is_flattened_to_text():
    paper = dblp.parse_record(load("record_conf_soda_ArthurV07.xml"))
    assert paper.title == "k-means++: the advantages of careful seeding"
    assert paper.venue == "SODA"  # unknown conference: its DBLP stream id, upper-cased
    assert paper.identifiers == [Identifier(Scheme.DBLP, "conf/soda/ArthurV07")]


def test_a_corr_volume_alone_gives_the_arxiv_id():
    body = b"""<dblp><article key="journals/corr/HeZRS15"><author>Kaiming He 0001</author>
      <title>Deep Residual Learning for Image Recognition.</title><journal>CoRR</journal>
      <volume>abs/1512.03385</volume><year>2015</year></article></dblp>"""
    paper = dblp.parse_record(body)
    assert paper.authors == ["Kaiming He"]
    assert Identifier(Scheme.ARXIV, "1512.03385") in paper.identifiers


def test_a_record_answer_without_a_record_is_malformed():
    with pytest.raises(MalformedResponse):
        dblp.parse_record(b"<dblp></dblp>")


def test_titles_keep_an_ellipsis_and_questions():
    assert dblp.clean_title("Is attention all you need?") == "Is attention all you need?"
    assert dblp.clean_title("Wait for it...") == "Wait for it..."


def test_search_sends_a_json_query():
    fetch = RecordedFetch(load("search_fast_rcnn.json"))
    papers = dblp.search(fetch, "fast r-cnn  girshick")
    assert len(papers) == 3
    assert fetch.calls == [
        (dblp.SEARCH_URL, {"q": "fast r-cnn girshick", "format": "json", "h": "5"}),
    ]


def test_fetch_record_asks_for_the_xml_export():
    fetch = RecordedFetch(load("record_conf_iccv_Girshick15.xml"))
    paper = dblp.fetch_record(fetch, "DBLP:conf/iccv/Girshick15")
    assert paper is not None
    assert fetch.calls == [("https://dblp.org/rec/conf/iccv/Girshick15.xml", {})]


def test_fetch_record_for_an_unknown_key_is_none():
    error = FetchError("Not Found", "https://dblp.org/rec/conf/x/y.xml", 404)
    assert dblp.fetch_record(RecordedFetch(error=error), "conf/x/y") is None
