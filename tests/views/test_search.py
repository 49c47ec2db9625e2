"""The search page through HTTP: hits, snippets, sorting, paging, identifiers, privacy, cost."""

import pytest

from shortscience.models import PaperIdentifier
from shortscience.services import comments
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def page(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_an_empty_search_shows_the_box_and_the_syntax(client):
    html = page(client)
    assert 'name="q"' in html and "year:2017..2019" in html


def test_hits_show_their_kind_paper_and_a_marked_snippet(client):
    paper = make_paper("Quantum Walrus Networks")
    summary = make_summary(paper=paper, markdown="The walrus <b>tusk</b> & more.")
    comments.add(make_user(), summary.pk, "What about walrus whiskers?")
    html = page(client, q="walrus")
    for expected in (
        "Paper",
        "Summary",
        "Comment",
        "Quantum Walrus Networks",
        "<mark>walrus</mark>",
    ):
        assert expected in html, expected
    assert "<b>tusk</b>" not in html and "&lt;b&gt;tusk&lt;/b&gt;" in html
    assert f"/summaries/{summary.pk}/" in html


def test_the_parsed_query_and_sort_links_are_shown(client):
    make_paper("Sorting things")
    html = page(client, q='sorting "a phrase" year:2017..2018', sort="date")
    assert "<strong>date</strong>" in html
    assert "sort=relevance" in html and "sort=score" in html
    assert "year:2017..2018" in html


def test_an_identifier_in_the_box_goes_straight_to_the_paper(client):
    paper = make_paper("Attention")
    PaperIdentifier.objects.create(paper=paper, scheme="doi", value="10.5555/3295222")
    response = client.get("/search/", {"q": "https://doi.org/10.5555/3295222"})
    assert response.status_code == 302 and response["Location"] == paper.get_absolute_url()


def test_the_old_internalsearch_lands_on_this_search(client):
    make_paper("Legacy landing")
    response = client.get("/internalsearch", {"q": "legacy landing"})
    assert response.status_code == 301 and response["Location"].startswith("/search/?q=legacy")
    assert "Legacy landing" in client.get(response["Location"]).content.decode()


def test_pages_link_to_the_next_and_previous(client):
    for i in range(25):
        make_paper(f"Pelican study {i}")
    first = page(client, q="pelican")
    assert "page=2" in first and 'rel="prev"' not in first
    second = page(client, q="pelican", page="2")
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_an_anonymous_summary_hit_names_nobody(client):
    author = make_user("secretauthor", display_name="Secret Author Name")
    make_summary(author=author, markdown="anonymous otter notes", anonymous=True)
    html = page(client, q="otter")
    assert "Anonymous" in html
    assert "secretauthor" not in html and "Secret Author Name" not in html


def test_a_private_summary_shows_only_to_its_author(client, client_for):
    author = make_user()
    make_summary(author=author, markdown="private heron notes", private=True)
    stranger = page(client, q="heron")
    assert "<mark>heron</mark>" not in stranger and "0 results" in stranger
    mine = page(client_for(author), q="heron")
    assert "<mark>heron</mark>" in mine and "only you see this" in mine


@pytest.mark.parametrize("q", ['"unbalanced', "NEAR(a b) AND *", "x" * 5000, "year:abc", "-"])
def test_malformed_queries_answer_normally(client, q):
    page(client, q=q)


def test_bad_page_and_sort_values_fall_back(client):
    make_paper("Fallback")
    page(client, q="fallback", page="-3", sort="nonsense")
    page(client, q="fallback", page="999999999999")


def test_a_page_of_results_costs_the_same_queries_for_3_or_30_hits(
    client, django_assert_max_num_queries
):
    for i in range(30):
        paper = make_paper(f"Budget study {i}")
        summary = make_summary(paper=paper, markdown="Budget notes.")
        if i % 3 == 0:
            comments.add(make_user(), summary.pk, "A budget comment.")
    with django_assert_max_num_queries(8):
        page(client, q="budget")
