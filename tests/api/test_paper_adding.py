"""Adding a paper through the API (POST /api/v1/papers): by identifier (fetched from its source
through the recorded HTTP edge), by BibTeX or by its fields, with the add page's duplicate
checks: 201 with a new paper, 200 with the one already here, a JSON error otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from shortscience.models import ApiToken, Paper, PaperIdentifier
from shortscience.services import outbound
from tests.api.conftest import ApiClient, error_shape, with_session, with_token
from tests.factories import make_paper, make_user
from tests.recorded import DATA, down, recorded_fetcher

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(monkeypatch: pytest.MonkeyPatch) -> None:
    fetcher = recorded_fetcher()
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)


@pytest.fixture
def sources_down(monkeypatch: pytest.MonkeyPatch) -> None:
    fetcher = recorded_fetcher(down)
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)


@pytest.fixture
def no_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound, "fetcher", lambda: pytest.fail("no outbound call expected"))


@pytest.fixture
def writer() -> ApiClient:
    return with_token(make_user("adder"))


def test_an_arxiv_url_is_fetched_from_arxiv_and_answers_201_with_the_paper(writer, sources):
    response = writer.post("/papers", {"identifier": "https://arxiv.org/abs/1706.03762v2"})
    assert response.status_code == 201, response.json()
    body: dict[str, Any] = response.json()
    paper = PaperIdentifier.objects.get(scheme="arxiv", value="1706.03762").paper
    assert body["id"] == paper.pk and body["title"] == "Attention Is All You Need"
    assert body["api_url"] == f"http://testserver/api/v1/papers/{paper.pk}"
    assert "arxiv" in {i["scheme"] for i in body["identifiers"]}
    assert body["summaries"] == [] and body["summary_count"] == 0
    # The same shape as reading the paper.
    assert set(body) == set(ApiClient().get(f"/papers/{paper.pk}").json())


def test_a_doi_is_fetched_from_crossref_and_filled_in_from_semantic_scholar(writer, sources):
    response = writer.post("/papers", {"identifier": "10.1109/ICCV.2015.169"})
    assert response.status_code == 201, response.json()
    paper = Paper.objects.get(pk=response.json()["id"])
    assert paper.title == "Fast R-CNN" and paper.venue is not None
    assert paper.identifiers.filter(scheme="arxiv", value="1504.08083").exists()


def test_a_paper_already_here_answers_200_without_asking_any_source(writer, no_sources):
    paper = make_paper("Attention Is All You Need")
    arxiv_id = paper.identifiers.get().value
    response = writer.post("/papers", {"identifier": f"arXiv:{arxiv_id}"})
    assert response.status_code == 200
    assert response.json()["id"] == paper.pk
    assert Paper.objects.count() == 1


def test_adding_the_same_identifier_twice_makes_one_paper(writer, sources):
    first = writer.post("/papers", {"identifier": "1706.03762"})
    second = writer.post("/papers", {"identifier": "https://arxiv.org/pdf/1706.03762"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Paper.objects.count() == 1


def test_bibtex_becomes_a_paper_and_a_second_time_finds_it(writer, no_sources):
    bibtex = (DATA / "bibtex" / "dblp_conf_iccv_Girshick15.bib").read_text()
    first = writer.post("/papers", {"bibtex": bibtex})
    assert first.status_code == 201, first.json()
    assert first.json()["title"] == "Fast R-CNN" and first.json()["year"] == 2015
    again = writer.post("/papers", {"bibtex": bibtex})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_typed_fields_with_a_bidi_override_are_refused_and_nothing_is_made(writer, no_sources):
    response = writer.post("/papers", {"title": "Evil\u202e title", "authors": ["Ada"]})
    assert response.status_code == 400
    assert "title" in error_shape(response)["fields"]
    assert not Paper.objects.exists()


def test_typed_fields_make_a_paper_with_its_venue(writer, no_sources):
    response = writer.post(
        "/papers",
        {
            "title": "A Paper Nobody Indexed",
            "authors": ["Grace Hopper", "Edsger Dijkstra"],
            "year": 1972,
            "venue": "CACM",
            "abstract": "Short.",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["authors"] == ["Grace Hopper", "Edsger Dijkstra"]
    assert body["year"] == 1972 and body["venue"]["key"] == "CACM"
    assert body["abstract"] == "Short."


def test_typed_fields_with_the_title_of_a_paper_here_answer_that_paper(writer, no_sources):
    paper = make_paper("Attention Is All You Need")
    response = writer.post("/papers", {"title": "attention is all you need.", "authors": []})
    assert response.status_code == 200 and response.json()["id"] == paper.pk
    assert Paper.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, None),
        ({"identifier": "1706.03762", "bibtex": "@article{x, title={X}}"}, 400, None),
        ({"identifier": "not an identifier at all"}, 400, "identifier"),
        ({"bibtex": "@article{broken"}, 400, None),
        ({"title": "", "authors": ["Somebody"]}, 400, "title"),
        ({"title": "A title", "year": 17}, 422, "year"),
        ({"identifier": "x" * 1001}, 422, "identifier"),
    ],
)
def test_a_request_that_names_no_paper_is_a_clear_json_error(
    writer, no_sources, body, status, field
):
    response = writer.post("/papers", body)
    assert response.status_code == status
    error = error_shape(response)
    if field is not None:
        assert field in error["fields"]
    assert Paper.objects.count() == 0


def test_a_source_that_is_down_is_said_so_and_nothing_is_added(writer, sources_down):
    response = writer.post("/papers", {"identifier": "1706.03762"})
    assert response.status_code == 400
    error = error_shape(response)
    assert error["code"] == "SourceUnavailable" and "arXiv" in error["message"]
    assert Paper.objects.count() == 0


def test_an_identifier_its_source_does_not_know_is_a_400(writer, sources):
    response = writer.post("/papers", {"identifier": "2401.00001"})
    assert response.status_code == 400
    assert "by hand" in error_shape(response)["message"]
    assert Paper.objects.count() == 0


def test_adding_needs_a_write_token_or_a_session_with_csrf(no_sources):
    typed = {"title": "A Paper", "authors": ["A. Person"]}
    assert ApiClient().post("/papers", typed).status_code == 401
    user = make_user()
    read_only = with_token(user, ApiToken.Scope.READ)
    assert read_only.post("/papers", typed).status_code == 403
    assert with_session(user, enforce_csrf=True).post("/papers", typed).status_code == 403
    assert Paper.objects.count() == 0


def test_adding_is_rate_limited_like_the_add_page(writer, no_sources, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "paper_lookup": "2/3600"}
    for n in range(2):
        assert writer.post("/papers", {"title": f"Paper {n}"}).status_code == 201
    limited = writer.post("/papers", {"title": "Paper 3"})
    assert limited.status_code == 429
    assert error_shape(limited)["code"] == "RateLimited" and limited["Retry-After"]


def _placeholder(key: str = "1706.03762") -> Paper:
    paper = Paper.objects.create(title=key, metadata_source=Paper.PLACEHOLDER)
    PaperIdentifier.objects.create(paper=paper, scheme="arxiv", value=key)
    return paper


def test_a_placeholder_here_is_filled_from_its_source_and_answered_200_filled(writer, sources):
    paper = _placeholder()
    response = writer.post("/papers", {"identifier": "https://arxiv.org/abs/1706.03762v5"})
    assert response.status_code == 200, response.json()
    body: dict[str, Any] = response.json()
    assert body["id"] == paper.pk and body["title"] == "Attention Is All You Need"
    assert "Ashish Vaswani" in body["authors"] and body["year"] == 2017
    assert Paper.objects.count() == 1
    assert ApiClient().get(f"/papers/{paper.pk}").json()["title"] == "Attention Is All You Need"


def test_a_placeholder_here_with_its_source_down_is_answered_as_it_is(writer, sources_down):
    paper = _placeholder()
    response = writer.post("/papers", {"identifier": "1706.03762"})
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == paper.pk and response.json()["title"] == "1706.03762"
