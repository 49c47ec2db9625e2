"""The 'Add summary' flow: paste anything, see local papers first, then the sources; pick,
paste BibTeX or type the paper in; every source down still leaves a way forward."""

import json

import httpx
import pytest

from shortscience.models import Paper, PaperIdentifier
from shortscience.services import outbound
from tests.factories import make_paper, make_user
from tests.recorded import DATA, down, recorded_fetcher, route

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(monkeypatch):
    fetcher = recorded_fetcher()
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)
    return fetcher


@pytest.fixture
def sources_down(monkeypatch):
    fetcher = recorded_fetcher(down)
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)
    return fetcher


@pytest.fixture
def writer(client_for):
    return client_for(make_user("writer"))


def test_adding_needs_an_account(client):
    assert client.get("/add/").status_code == 302


def test_a_known_paper_is_offered_first_without_asking_the_sources(writer, monkeypatch):
    paper = make_paper("Known paper")
    arxiv = paper.identifiers.get(scheme="arxiv").value
    monkeypatch.setattr(outbound, "fetcher", lambda: pytest.fail("no outbound call expected"))
    html = writer.get("/add/", {"q": f"https://arxiv.org/abs/{arxiv}v2"}).content.decode()
    assert "Known paper" in html and f"/papers/{paper.pk}/write/" in html


def test_a_pasted_arxiv_url_finds_the_paper_and_picking_it_opens_the_editor(writer, sources):
    html = writer.get("/add/", {"q": "https://arxiv.org/pdf/1706.03762v5"}).content.decode()
    assert "Attention Is All You Need" in html and 'value="arxiv:1706.03762"' in html
    response = writer.post("/add/", {"action": "pick", "token": "arxiv:1706.03762"})
    paper = Paper.objects.get(identifiers__value="1706.03762")
    assert response.status_code == 302 and response["Location"] == f"/papers/{paper.pk}/write/"
    values = set(paper.identifiers.values_list("scheme", "value"))
    assert ("doi", "10.48550/arxiv.1706.03762") in values
    assert ("legacy", "journals/corr/1706.03762") in values
    again = writer.post("/add/", {"action": "pick", "token": "arxiv:1706.03762"})
    assert again["Location"] == f"/papers/{paper.pk}/write/" and Paper.objects.count() == 1


def test_a_doi_is_looked_up_at_crossref(writer, sources):
    html = writer.get("/add/", {"q": "https://doi.org/10.1109/ICCV.2015.169"}).content.decode()
    assert "Fast R-CNN" in html
    writer.post("/add/", {"action": "pick", "token": "doi:10.1109/iccv.2015.169"})
    paper = PaperIdentifier.objects.get(scheme="doi", value="10.1109/iccv.2015.169").paper
    assert paper.title == "Fast R-CNN" and paper.venue is not None
    # Semantic Scholar knows the arXiv version: that alias now reaches the same page.
    assert paper.identifiers.filter(scheme="arxiv", value="1504.08083").exists()
    assert writer.get("/arxiv/1504.08083")["Location"] == f"/papers/{paper.pk}/"


def semantic_scholar_answers(monkeypatch, **changes):
    """The recorded sources, with Semantic Scholar's Fast R-CNN record changed by `changes`."""
    body = json.loads((DATA / "semanticscholar/paper_DOI_10.1109_ICCV.2015.169.json").read_text())
    body.update(changes)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.semanticscholar.org":
            return httpx.Response(200, json=body)
        return route(request)

    fetcher = recorded_fetcher(handler)
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)


def test_semantic_scholar_fills_the_abstract_crossref_left_out(writer, monkeypatch):
    abstract = "This paper proposes a Fast Region-based Convolutional Network method."
    semantic_scholar_answers(monkeypatch, abstract=abstract)
    writer.post("/add/", {"action": "pick", "token": "doi:10.1109/iccv.2015.169"})
    paper = PaperIdentifier.objects.get(scheme="doi", value="10.1109/iccv.2015.169").paper
    assert paper.abstract.startswith("This paper proposes a Fast Region-based")


def test_a_semantic_scholar_record_of_another_paper_is_not_merged_in(writer, monkeypatch):
    semantic_scholar_answers(monkeypatch, title="Some Other Paper")
    writer.post("/add/", {"action": "pick", "token": "doi:10.1109/iccv.2015.169"})
    paper = PaperIdentifier.objects.get(scheme="doi", value="10.1109/iccv.2015.169").paper
    assert not paper.identifiers.filter(scheme="arxiv").exists()


def test_picking_a_crossref_paper_still_works_when_semantic_scholar_is_down(writer, monkeypatch):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.semanticscholar.org":
            return down(request)
        return route(request)

    fetcher = recorded_fetcher(handler)
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)
    response = writer.post("/add/", {"action": "pick", "token": "doi:10.1109/iccv.2015.169"})
    assert response.status_code == 302
    assert PaperIdentifier.objects.filter(value="10.1109/iccv.2015.169").exists()


def test_a_title_asks_every_source_and_lists_local_matches_first(writer, sources):
    local = make_paper("Fast R-CNN for everyone")
    html = writer.get("/add/", {"q": "fast r-cnn"}).content.decode()
    assert html.index(local.title) < html.index("Found on arXiv")


def test_when_every_source_is_down_the_writer_is_told_and_can_type_the_paper(writer, sources_down):
    response = writer.get("/add/", {"q": "1706.03762"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "arXiv could not be reached" in html and "Enter the paper by hand" in html
    created = writer.post(
        "/add/",
        {
            "action": "manual",
            "title": "A Paper Typed In",
            "authors": "Ada Lovelace, Alan Turing",
            "year": "1843",
            "url": "https://arxiv.org/abs/1706.03762",
        },
    )
    paper = Paper.objects.get(title="A Paper Typed In")
    assert created["Location"] == f"/papers/{paper.pk}/write/"
    assert paper.authors == ["Ada Lovelace", "Alan Turing"] and paper.year == 1843
    assert paper.identifiers.filter(scheme="arxiv", value="1706.03762").exists()


def test_a_known_paper_still_renders_when_the_sources_are_down(client, sources_down):
    paper = make_paper("Offline paper")
    assert client.get(paper.get_absolute_url()).status_code == 200


def test_pasted_bibtex_with_accents_and_braces_becomes_a_paper(writer):
    bibtex = (
        '@article{schr,\n  title={{BERT}: Pre-training for {\\"u}ber Schr{\\"o}dinger},\n'
        '  author={M{\\"u}ller, J{\\"o}rg and \\\'{E}cole, Anne},\n  year={2019},\n'
        "  journal={Journal of Things}, doi={10.1000/XYZ123}\n}"
    )
    response = writer.post("/add/", {"action": "bibtex", "bibtex": bibtex})
    paper = Paper.objects.get(identifiers__value="10.1000/xyz123")
    assert response["Location"] == f"/papers/{paper.pk}/write/"
    assert paper.title == "BERT: Pre-training for über Schrödinger"
    assert paper.authors == ["Jörg Müller", "Anne École"]


def test_broken_bibtex_or_an_empty_form_keeps_the_text_and_says_why(writer):
    response = writer.post(
        "/add/", {"action": "bibtex", "bibtex": "@article{oops, title={unclosed"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "could not be read" in html
    assert "@article{oops, title={unclosed" in html
    missing = writer.post("/add/", {"action": "manual", "title": "", "year": "20x"})
    assert missing.status_code == 400 and "four digits" in missing.content.decode()
