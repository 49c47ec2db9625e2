"""Semantic Scholar Graph API papers, recorded under tests/data/metadata/semanticscholar/."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from shortscience.metadata import semanticscholar as s2
from shortscience.metadata.http import Fetcher, FetchError, MalformedResponse
from shortscience.metadata.types import Identifier, Scheme

DATA = Path(__file__).resolve().parents[1] / "data" / "metadata" / "semanticscholar"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def serve(status: int, name: str) -> tuple[Fetcher, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=load(name))

    fetcher = Fetcher(
        "team@example.org",
        transport=httpx.MockTransport(handler),
        sleep=lambda seconds: None,
        jitter=lambda: 0.0,
    )
    return fetcher, seen


def test_a_full_paper_gives_title_authors_year_abstract_and_identifiers():
    paper = s2.parse_paper(load("paper_arXiv_1706.03762.json"))
    assert paper is not None
    assert paper.title == "Attention is All you Need"
    assert paper.authors[0] == "Ashish Vaswani"
    assert len(paper.authors) == 8
    assert paper.year == 2017
    assert paper.abstract.startswith("The dominant sequence transduction models")
    assert paper.identifiers == [
        Identifier(Scheme.ARXIV, "1706.03762"),
        Identifier(Scheme.DBLP, "conf/nips/VaswaniSPUJGKP17"),
    ]
    assert paper.venue == "NeurIPS"
    assert paper.url == (
        "https://www.semanticscholar.org/paper/204e3073870fae3d05bcbc2f6a8e263d9b72e776"
    )
    assert paper.source == "semanticscholar"


def test_null_abstract_venue_and_publication_venue_are_tolerated():
    paper = s2.parse_paper(load("paper_DOI_10.1109_ICCV.2015.169.json"))
    assert paper is not None
    assert paper.title == "Fast R-CNN"
    assert paper.abstract == ""
    assert paper.authors == ["Ross B. Girshick"]
    assert paper.venue == "ICCV"  # from the DOI prefix, since venue is "" and no publicationVenue
    assert paper.identifiers == [
        Identifier(Scheme.ARXIV, "1504.08083"),
        Identifier(Scheme.DOI, "10.1109/iccv.2015.169"),
    ]


def test_search_results_with_null_fields_everywhere():
    attention, sepformer, bare = s2.parse_search(load("search_attention.json"))
    assert attention.venue == "NeurIPS"
    assert sepformer.venue == "ICASSP"
    assert sepformer.year == 2020
    assert sepformer.identifiers == [
        Identifier(Scheme.ARXIV, "2010.13154"),
        Identifier(Scheme.DOI, "10.1109/icassp39728.2021.9413901"),
    ]
    assert bare.title == "Attention is all you need?"
    assert (bare.year, bare.abstract, bare.venue, bare.authors, bare.identifiers) == (
        None,
        "",
        "",
        [],
        [],
    )


def test_the_publication_venue_alternate_names_give_the_key():
    paper = {
        "title": "T",
        "venue": "Int Conf Learn Represent",
        "publicationVenue": {
            "name": "International Conference on Learning Representations",
            "alternate_names": ["Int Conf Learn Represent", "ICLR"],
        },
    }
    meta = s2.paper_to_metadata(paper)
    assert meta is not None
    assert meta.venue == "ICLR"


def test_an_empty_search_has_no_papers():
    assert s2.parse_search(load("search_empty.json")) == []


def test_a_not_found_body_is_no_paper():
    assert s2.parse_paper(load("error_404.json")) is None


def test_a_search_body_that_is_not_an_object_is_malformed():
    with pytest.raises(MalformedResponse):
        s2.parse_search(b"[]")


def test_identifiers_name_papers_by_the_graph_api_prefixes():
    assert s2.paper_id_for(Identifier(Scheme.ARXIV, "1706.03762")) == "arXiv:1706.03762"
    assert s2.paper_id_for(Identifier(Scheme.DOI, "10.1109/iccv.2015.169")) == (
        "DOI:10.1109/iccv.2015.169"
    )
    assert s2.paper_id_for(Identifier(Scheme.OPENREVIEW, "rJ4km2R5t7")) is None


def test_fetch_paper_asks_for_the_fields_we_read():
    fetcher, seen = serve(200, "paper_arXiv_1706.03762.json")
    paper = s2.fetch_paper(fetcher, Identifier(Scheme.ARXIV, "1706.03762"))
    assert paper is not None
    assert seen[0].url.path == "/graph/v1/paper/arXiv:1706.03762"
    assert seen[0].url.params["fields"] == (
        "title,authors,year,abstract,venue,externalIds,url,publicationVenue"
    )


def test_fetch_paper_for_an_unknown_id_is_none():
    fetcher, seen = serve(404, "error_404.json")
    assert s2.fetch_paper(fetcher, "arXiv:9912.99999") is None
    assert len(seen) == 1


def test_a_429_surfaces_as_a_fetch_error_with_status_429():
    fetcher, seen = serve(429, "error_429.json")
    with pytest.raises(FetchError) as caught:
        s2.fetch_paper(fetcher, Identifier(Scheme.DOI, "10.1109/iccv.2015.169"))
    assert caught.value.status == 429
    assert len(seen) == 3  # retried, then given up


def test_an_identifier_the_graph_api_cannot_name_makes_no_request():
    fetcher, seen = serve(200, "paper_arXiv_1706.03762.json")
    assert s2.fetch_paper(fetcher, Identifier(Scheme.OPENREVIEW, "rJ4km2R5t7")) is None
    assert seen == []


def test_search_sends_the_query_and_limit():
    fetcher, seen = serve(200, "search_attention.json")
    papers = s2.search(fetcher, "attention is all you need")
    assert len(papers) == 3
    assert seen[0].url.path == "/graph/v1/paper/search"
    assert seen[0].url.params["query"] == "attention is all you need"
    assert seen[0].url.params["limit"] == "5"


def test_external_ids_give_the_arxiv_id_doi_and_dblp_key_of_one_work():
    paper = s2.parse_paper(load("paper_DOI_10.1109_CVPR.2016.90.json"))
    assert paper is not None
    assert paper.identifiers == [
        Identifier(Scheme.ARXIV, "1512.03385"),
        Identifier(Scheme.DOI, "10.1109/cvpr.2016.90"),
        Identifier(Scheme.DBLP, "conf/cvpr/HeZRS16"),
    ]
