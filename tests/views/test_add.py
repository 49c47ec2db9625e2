"""The 'Add summary' flow: paste anything, see local papers first, then the sources; pick,
paste BibTeX or type the paper in; every source down still leaves a way forward."""

import json

import httpx
import pytest

from shortscience.models import Flag, Paper, PaperIdentifier
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
    assert "arXiv did not answer." in html and "Enter the paper by hand" in html
    assert "ConnectError" not in html and "refused" not in html  # never the exception's text
    assert '<details id="add-manual" open>' in html and 'value="1706.03762"' in html
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


# -- already here? one paper per work ---------------------------------------------------------


def test_typing_in_a_paper_already_here_offers_it_first(writer):
    paper = make_paper("Attention Is All You Need")
    typed = {"action": "manual", "title": "attention is all you need.", "authors": "A. Vaswani"}
    html = writer.post("/add/", typed).content.decode()
    assert "This paper is already here" in html and f"/papers/{paper.pk}/write/" in html
    assert "Add mine anyway" in html and 'value="A. Vaswani"' in html  # nothing typed is lost
    assert Paper.objects.count() == 1
    anyway = writer.post("/add/", {**typed, "confirm": "new"})
    assert anyway.status_code == 302 and Paper.objects.count() == 2


def test_pasted_bibtex_of_a_paper_already_here_offers_it_first(writer):
    paper = make_paper("BERT: Pre-training of Deep Bidirectional Transformers")
    bibtex = "@article{devlin, title={{BERT}: pre-training of deep bidirectional transformers}}"
    html = writer.post("/add/", {"action": "bibtex", "bibtex": bibtex}).content.decode()
    assert "This paper is already here" in html and paper.get_absolute_url() in html
    assert Paper.objects.count() == 1


def test_a_new_paper_gets_its_folded_title_stored(writer):
    writer.post("/add/", {"action": "manual", "title": "Über  Schrödinger!"})
    assert Paper.objects.get().title_key == "uber schrodinger"


def _two_versions(
    preprint_arxiv: str, published_doi: str, title: str, preprint_title: str = ""
) -> tuple[Paper, Paper]:
    preprint, published = make_paper(preprint_title or title), make_paper(f"{title}.")
    PaperIdentifier.objects.filter(paper=preprint).update(value=preprint_arxiv)
    PaperIdentifier.objects.create(paper=published, scheme="doi", value=published_doi)
    return preprint, published


def test_crossref_naming_the_preprint_makes_the_two_versions_one_paper(writer, monkeypatch):
    preprint, published = _two_versions(
        "1512.03385", "10.1109/cvpr.2016.90", "Deep residual learning for image recognition"
    )
    _crossref_names_the_preprint(monkeypatch)
    response = writer.post("/add/", {"action": "pick", "token": "doi:10.1109/cvpr.2016.90"})
    kept = Paper.objects.get()
    assert response["Location"] == f"/papers/{kept.pk}/write/"
    for alias in (
        "/arxiv/1512.03385",
        "/doi/10.1109/cvpr.2016.90",
        "/doi/10.48550/arXiv.1512.03385",
    ):
        assert writer.get(alias)["Location"] == f"/papers/{kept.pk}/"
    gone = ({preprint.pk, published.pk} - {kept.pk}).pop()
    assert writer.get(f"/papers/{gone}/")["Location"] == f"/papers/{kept.pk}/"  # a 301


def _crossref_names_the_preprint(monkeypatch) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.lower() == "/works/10.1109/cvpr.2016.90":
            return httpx.Response(
                200, content=(DATA / "crossref/works_10.1109_cvpr.2016.90.json").read_bytes()
            )
        return route(request)

    fetcher = recorded_fetcher(handler)
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)


def test_crossref_naming_a_preprint_of_another_title_merges_nothing_and_tells_moderators(
    writer, monkeypatch
):
    preprint, published = _two_versions(
        "1512.03385",
        "10.1109/cvpr.2016.90",
        "Deep residual learning for image recognition",
        preprint_title="Attention Is All You Need",
    )
    _crossref_names_the_preprint(monkeypatch)
    response = writer.post("/add/", {"action": "pick", "token": "doi:10.1109/cvpr.2016.90"})
    assert response["Location"] == f"/papers/{published.pk}/write/"
    assert Paper.objects.count() == 2
    assert writer.get("/arxiv/1512.03385")["Location"] == f"/papers/{preprint.pk}/"
    flag = Flag.objects.get()
    assert (flag.target_id, flag.duplicate_of_id) == (published.pk, preprint.pk)
    assert flag.text.startswith("Automatic report")


def test_semantic_scholar_s_external_ids_make_the_two_versions_one_paper(writer, sources):
    _two_versions("1504.08083", "10.1109/iccv.2015.169", "Fast R-CNN")
    writer.post("/add/", {"action": "pick", "token": "doi:10.1109/iccv.2015.169"})
    kept = Paper.objects.get()
    assert writer.get("/arxiv/1504.08083")["Location"] == f"/papers/{kept.pk}/"
    assert writer.get("/doi/10.1109/iccv.2015.169")["Location"] == f"/papers/{kept.pk}/"


# -- progress with htmx: the plan first, then each source in its own request -----------------


def test_with_htmx_the_search_answers_with_the_sources_to_ask_without_asking_them(
    writer, monkeypatch
):
    monkeypatch.setattr(outbound, "fetcher", lambda: pytest.fail("no outbound call expected"))
    html = writer.get("/add/", {"q": "fast r-cnn"}, HTTP_HX_REQUEST="true").content.decode()
    for name, key in (("arXiv", "arxiv"), ("Crossref", "crossref"), ("DBLP", "dblp")):
        assert f"Asking {name}…" in html and f"source={key}" in html
    assert '<details id="add-manual" >' in html  # closed until every source has answered


def test_each_source_answers_its_own_request_with_its_outcome_and_papers(writer, sources):
    html = writer.get("/add/source/", {"q": "fast r-cnn", "source": "crossref"}).content.decode()
    assert "Crossref found" in html and 'hx-swap-oob="beforeend:#remote-candidates"' in html
    assert "Fast R-CNN" in html and "arXiv" not in html


def test_a_source_that_is_down_answers_its_request_in_plain_words(writer, sources_down):
    html = writer.get("/add/source/", {"q": "1706.03762", "source": "arxiv"}).content.decode()
    assert "arXiv did not answer." in html and "Error" not in html


def test_pasted_bibtex_added_anyway_never_makes_two_known_papers_one(writer):
    resnet, attention = _two_versions(
        "1706.03762",
        "10.1109/cvpr.2016.90",
        "Deep Residual Learning for Image Recognition",
        preprint_title="Attention Is All You Need",
    )[::-1]
    bibtex = "@article{x, title={Anything}, doi={10.1109/CVPR.2016.90}, eprint={1706.03762}}"
    response = writer.post("/add/", {"action": "bibtex", "bibtex": bibtex, "confirm": "1"})
    assert response["Location"] == f"/papers/{resnet.pk}/write/"  # the paper it names first
    assert Paper.objects.count() == 2
    assert writer.get("/arxiv/1706.03762")["Location"] == f"/papers/{attention.pk}/"
    assert writer.get("/doi/10.1109/cvpr.2016.90")["Location"] == f"/papers/{resnet.pk}/"
    assert writer.get(f"/papers/{attention.pk}/").status_code == 200


# -- a pasted identifier a placeholder holds: what its source knows, filled on a POST --------


def _placeholder(key: str = "1706.03762") -> Paper:
    paper = Paper.objects.create(title=key, metadata_source=Paper.PLACEHOLDER)
    PaperIdentifier.objects.create(paper=paper, scheme="arxiv", value=key)
    return paper


def test_a_placeholder_pasted_by_id_is_shown_with_its_sources_record_and_nothing_written(
    writer, sources
):
    paper = _placeholder()
    before = Paper.objects.values().get(pk=paper.pk)
    html = writer.get("/add/", {"q": "https://arxiv.org/abs/1706.03762v5"}).content.decode()
    assert "Already on ShortScience" in html and f"/papers/{paper.pk}/write/" in html
    assert "arXiv knows this paper as <strong>Attention Is All You Need</strong>" in html
    assert "Ashish Vaswani" in html and "adds its title, authors, year" in html
    assert 'name="action" value="fill"' in html and 'value="arxiv:1706.03762"' in html
    assert "Summarise this paper" not in html  # no second paper is offered beside it
    assert Paper.objects.values().get(pk=paper.pk) == before
    assert Paper.objects.count() == 1


def test_with_htmx_the_placeholders_source_answers_its_own_request_with_the_offer(writer, sources):
    paper = _placeholder()
    html = writer.get("/add/", {"q": "1706.03762"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Asking arXiv…" in html and 'id="refill-offer"' in html
    assert "knows this paper as" not in html
    answer = writer.get("/add/source/", {"q": "1706.03762", "source": "arxiv"}).content.decode()
    assert "arXiv found 1 paper." in answer
    assert '<div id="refill-offer" class="refill-offer" hx-swap-oob="true">' in answer
    assert "Attention Is All You Need" in answer and 'value="fill"' in answer
    paper.refresh_from_db()
    assert paper.title == "1706.03762"


def test_filling_the_placeholder_is_a_post_that_fills_it_and_opens_the_editor(
    writer, client, sources
):
    paper = _placeholder()
    cached = client.get(paper.get_absolute_url())  # a reader's copy is cached
    assert "<title>1706.03762" in cached.content.decode()
    response = writer.post(
        "/add/", {"action": "fill", "token": "arxiv:1706.03762", "q": "1706.03762"}
    )
    assert response.status_code == 302 and response["Location"] == f"/papers/{paper.pk}/write/"
    paper.refresh_from_db()
    assert paper.title == "Attention Is All You Need" and "Ashish Vaswani" in paper.authors
    assert Paper.objects.count() == 1
    page = client.get(paper.get_absolute_url()).content.decode()
    assert "<title>Attention Is All You Need" in page  # the cached copy was dropped
    again = writer.get("/add/", {"q": "1706.03762"}).content.decode()
    assert "Attention Is All You Need" in again and "knows this paper as" not in again


def test_filling_with_the_source_down_opens_the_editor_on_the_paper_as_it_was(writer, sources_down):
    paper = _placeholder()
    html = writer.get("/add/", {"q": "1706.03762"}).content.decode()
    assert "arXiv did not answer." in html and f"/papers/{paper.pk}/write/" in html
    assert "knows this paper as" not in html
    response = writer.post("/add/", {"action": "fill", "token": "arxiv:1706.03762"}, follow=True)
    assert response.redirect_chain == [(f"/papers/{paper.pk}/write/", 302)]
    assert "arXiv did not answer: the paper keeps the details it has." in (
        response.content.decode()
    )
    paper.refresh_from_db()
    assert paper.title == "1706.03762"


def test_filling_an_identifier_no_paper_here_holds_says_so(writer, sources):
    response = writer.post("/add/", {"action": "fill", "token": "arxiv:1706.03762"})
    assert response.status_code == 400
    assert "No paper here is known by that identifier." in response.content.decode()
    assert not Paper.objects.exists()
