"""Crossref works, recorded under tests/data/metadata/crossref/, parsed into PaperMetadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from shortscience.metadata import crossref
from shortscience.metadata.http import FetchError, MalformedResponse
from shortscience.metadata.types import Identifier, Scheme

DATA = Path(__file__).resolve().parents[1] / "data" / "metadata" / "crossref"


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


def test_a_proceedings_article_gives_title_author_year_venue_and_doi():
    paper = crossref.parse_work(load("works_10.1109_iccv.2015.169.json"))
    assert paper.title == "Fast R-CNN"
    assert paper.authors == ["Ross Girshick"]
    assert paper.year == 2015
    assert paper.venue == "ICCV"
    assert paper.identifiers == [Identifier(Scheme.DOI, "10.1109/iccv.2015.169")]
    assert paper.url == "https://doi.org/10.1109/iccv.2015.169"
    assert paper.abstract == ""
    assert paper.source == "crossref"


def test_an_organisation_author_keeps_its_name():
    paper = crossref.parse_work(load("works_10.1093_nar_gkaa1113.json"))
    assert paper.authors == [
        "The Gene Ontology Consortium",
        "Seth Carbon",
        "Christopher J Mungall",
    ]


def test_a_jats_abstract_becomes_plain_text_without_its_heading():
    paper = crossref.parse_work(load("works_10.1093_nar_gkaa1113.json"))
    assert paper.abstract.startswith("The Gene Ontology Consortium (GOC) provides")
    assert "<" not in paper.abstract
    assert "Abstract" not in paper.abstract
    assert paper.abstract.endswith("The new GO-CAM models & annotations are described.")


def test_a_journal_unknown_to_the_venue_table_leaves_the_venue_empty():
    paper = crossref.parse_work(load("works_10.1093_nar_gkaa1113.json"))
    assert paper.title == "The Gene Ontology resource: enriching a GOld mine"
    assert paper.year == 2020
    assert paper.venue == ""


def test_a_query_lists_titled_items_in_order():
    papers = crossref.parse_works(load("query_fast_rcnn.json"))
    assert [p.identifiers[0].value for p in papers] == [
        "10.1109/iccv.2015.169",
        "10.5555/12345678",
        "10.5555/markup-title",
    ]
    assert papers[0].venue == "ICCV"


def test_null_date_parts_fall_through_to_the_next_date():
    papers = crossref.parse_works(load("query_fast_rcnn.json"))
    assert papers[1].title.startswith("Toward a Unified Theory of High-Energy Metaphysics")
    assert papers[1].year == 2008  # issued is [[null]], published-online is 2008-08-13
    assert papers[2].year == 2019  # posted content: issued [[null]], posted 2019-05


def test_titles_lose_inline_markup_and_decode_entities():
    papers = crossref.parse_works(load("query_fast_rcnn.json"))
    assert papers[2].title == "Fast R-CNN for in vivo CO2 & O2 imaging"
    assert papers[2].authors == ["Carberry"]  # family name only


def test_only_null_dates_give_no_year():
    assert crossref.year_of({"issued": {"date-parts": [[None]]}}) is None
    assert crossref.year_of({"issued": {"date-parts": [[]]}}) is None
    assert crossref.year_of({}) is None


def test_an_empty_title_list_gives_an_empty_title():
    paper = crossref.work_to_metadata({"DOI": "10.5555/x", "title": []})
    assert paper.title == ""
    assert paper.identifiers == [Identifier(Scheme.DOI, "10.5555/x")]


def test_a_404_body_is_not_json():
    with pytest.raises(MalformedResponse):
        crossref.parse_work(load("works_not_found.txt"))


def test_a_work_list_is_not_a_work():
    with pytest.raises(MalformedResponse, match="work-list"):
        crossref.parse_work(load("query_fast_rcnn.json"))


def test_fetch_work_asks_for_the_doi_path():
    fetch = RecordedFetch(load("works_10.1109_iccv.2015.169.json"))
    paper = crossref.fetch_work(fetch, Identifier(Scheme.DOI, "10.1109/iccv.2015.169"))
    assert paper is not None
    assert fetch.calls == [("https://api.crossref.org/works/10.1109/iccv.2015.169", {})]


def test_fetch_work_escapes_characters_a_path_cannot_carry():
    fetch = RecordedFetch(load("works_10.1109_iccv.2015.169.json"))
    crossref.fetch_work(fetch, "10.1002/(sici)1097-0258<3.0.co;2-#")
    assert (
        fetch.calls[0][0] == "https://api.crossref.org/works/10.1002/(sici)1097-0258%3C3.0.co;2-%23"
    )


def test_fetch_work_for_an_unknown_doi_is_none():
    error = FetchError("Not Found", "https://api.crossref.org/works/10.5555/nothing", 404)
    assert crossref.fetch_work(RecordedFetch(error=error), "10.5555/nothing") is None


def test_fetch_work_lets_other_failures_through():
    error = FetchError("Service Unavailable", "https://api.crossref.org/works/10.1/x", 503)
    with pytest.raises(FetchError):
        crossref.fetch_work(RecordedFetch(error=error), "10.1/x")


def test_search_sends_a_bibliographic_query_for_five_rows():
    fetch = RecordedFetch(load("query_fast_rcnn.json"))
    papers = crossref.search(fetch, "Fast R-CNN\n Girshick")
    assert len(papers) == 3
    assert fetch.calls == [
        (
            "https://api.crossref.org/works",
            {"query.bibliographic": "Fast R-CNN Girshick", "rows": "5"},
        )
    ]


def test_normalise_doi_accepts_resolver_urls_and_prefixes():
    expected = Identifier(Scheme.DOI, "10.1109/iccv.2015.169")
    assert crossref.normalise_doi("https://doi.org/10.1109/ICCV.2015.169") == expected
    assert crossref.normalise_doi("doi:10.1109/ICCV.2015.169") == expected
    assert crossref.normalise_doi("10.1109/ICCV.2015.169") == expected
    assert crossref.normalise_doi("not a doi") is None


def test_a_published_work_names_its_arxiv_preprint_as_the_same_work():
    paper = crossref.parse_work(load("works_10.1109_cvpr.2016.90.json"))
    assert paper.identifiers == [Identifier(Scheme.DOI, "10.1109/cvpr.2016.90")]
    # has-preprint gives the arXiv DOI; "references" is not a version of the work.
    assert paper.same_work == [Identifier(Scheme.DOI, "10.48550/arxiv.1512.03385")]


def test_a_preprint_names_its_published_version_as_the_same_work():
    paper = crossref.parse_work(load("works_10.1101_2020.03.16.993816.json"))
    assert paper.title == "Protein structure from sequence alone"
    assert paper.same_work == [Identifier(Scheme.DOI, "10.1038/s41586-020-2649-2")]


def test_relations_of_unknown_types_or_junk_ids_are_skipped():
    work = {
        "DOI": "10.1/a",
        "title": ["A"],
        "relation": {
            "is-preprint-of": [
                {"id-type": "doi", "id": "javascript:alert(1)"},
                {"id-type": "issn", "id": "1234-5678"},
                {"id-type": "arxiv", "id": "arXiv:1706.03762"},
                {"id-type": "doi", "id": "https://doi.org/10.1/A"},
                "junk",
            ],
            "has-preprint": {"not": "a list"},
        },
    }
    # The work's own DOI (given back as a URL in its relation) is no other version.
    assert crossref.work_to_metadata(work).same_work == [Identifier(Scheme.ARXIV, "1706.03762")]
