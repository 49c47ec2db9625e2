"""Papers through the API: by id, by any identifier, their summaries, search and bulk counts."""

import pytest

from shortscience.models import PaperIdentifier, Venue
from tests.api.conftest import ApiClient, error_shape
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_a_paper_comes_with_its_identifiers_venue_and_summaries(stranger):
    venue = Venue.objects.create(key="NeurIPS", name="Neural Information Processing Systems")
    paper = make_paper("Attention Is All You Need", venue=venue, year=2017)
    PaperIdentifier.objects.create(paper=paper, scheme="doi", value="10.5555/3295222")
    low = make_summary(paper=paper, markdown="Second")
    high = make_summary(paper=paper, markdown="First")
    high.score = 5
    high.save()
    response = stranger.get(f"/papers/{paper.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Attention Is All You Need"
    assert body["year"] == 2017
    assert body["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert body["venue"]["key"] == "NeurIPS"
    assert body["url"] == f"http://testserver/papers/{paper.pk}/"
    assert body["api_url"] == f"http://testserver/api/v1/papers/{paper.pk}"
    assert {i["scheme"] for i in body["identifiers"]} == {"arxiv", "doi"}
    assert body["summary_count"] == 2
    assert [s["id"] for s in body["summaries"]] == [high.pk, low.pk]


def test_a_paper_that_does_not_exist_is_a_json_404(stranger):
    response = stranger.get("/papers/999999")
    assert response.status_code == 404
    assert error_shape(response)["code"] == "NotFound"


def test_a_paper_is_found_by_any_of_its_aliases(stranger):
    paper = make_paper()
    arxiv_id = paper.identifiers.get().value
    for alias in (arxiv_id, f"arXiv:{arxiv_id}v2", f"https://arxiv.org/abs/{arxiv_id}"):
        response = stranger.get("/papers/lookup", data={"id": alias})
        assert response.status_code == 200, alias
        assert response.json()["id"] == paper.pk


def test_looking_up_an_unknown_identifier_is_a_404(stranger):
    response = stranger.get("/papers/lookup", data={"id": "2999.99999"})
    assert response.status_code == 404
    assert "2999.99999" in error_shape(response)["message"]


def test_a_papers_summaries_are_listed_on_their_own(stranger):
    paper = make_paper()
    summary = make_summary(paper=paper)
    response = stranger.get(f"/papers/{paper.pk}/summaries")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == [summary.pk]


def test_search_finds_papers_by_every_word_of_the_title(stranger):
    wanted = make_paper("Deep Residual Learning for Image Recognition")
    make_summary(paper=wanted)
    make_paper("Residual flows")
    response = stranger.get("/search", data={"q": "residual image"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "residual image"
    assert [(p["id"], p["summary_count"]) for p in body["items"]] == [(wanted.pk, 1)]


def test_an_empty_search_finds_nothing(stranger):
    make_paper("Anything")
    assert stranger.get("/search", data={"q": " "}).json()["items"] == []


def test_counts_give_the_canonical_url_and_public_summary_count_for_each_identifier():
    paper = make_paper()
    arxiv_id = paper.identifiers.get().value
    make_summary(paper=paper)
    make_summary(paper=paper, private=True)
    make_summary(paper=paper, publish=False)
    response = ApiClient().post("/papers/counts", {"ids": [arxiv_id, "2999.99999"]})
    assert response.status_code == 200
    assert response.json() == {
        "papers": [
            {"id": arxiv_id, "url": f"http://testserver/papers/{paper.pk}/", "summaries": 1},
            {"id": "2999.99999", "url": None, "summaries": 0},
        ]
    }


def test_counts_take_at_most_500_identifiers():
    ok = ApiClient().post("/papers/counts", {"ids": [f"1706.{n:05d}" for n in range(500)]})
    assert ok.status_code == 200
    assert len(ok.json()["papers"]) == 500
    refused = ApiClient().post("/papers/counts", {"ids": ["1706.00001"] * 501})
    assert refused.status_code == 422
    assert "ids" in error_shape(refused)["fields"]


def test_500_identifiers_of_the_longest_allowed_form_fit_in_one_request():
    paper = make_paper()
    known = paper.identifiers.get().value
    # The documented limits at once: 500 ids of 1,000 characters each (about 0.5 MB of JSON,
    # under Django's DATA_UPLOAD_MAX_MEMORY_SIZE of 2.5 MB).
    ids = [known] + [f"https://arxiv.org/abs/{n:04d}." + "9" * 973 for n in range(499)]
    assert all(len(key) <= 1000 for key in ids) and len(ids) == 500
    response = ApiClient().post("/papers/counts", {"ids": ids})
    assert response.status_code == 200
    found = response.json()["papers"]
    assert len(found) == 500 and found[0]["url"] == f"http://testserver/papers/{paper.pk}/"
    assert [item["id"] for item in found] == ids


def test_counts_work_for_a_signed_in_browser_without_a_csrf_token():
    from tests.api.conftest import with_session

    client = with_session(make_user(), enforce_csrf=True)
    assert client.post("/papers/counts", {"ids": ["1706.00001"]}).status_code == 200
