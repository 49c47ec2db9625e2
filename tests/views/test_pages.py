"""Every page answers through HTTP in-process and shows what a reader expects."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import Venue, Vote
from shortscience.services import comments, rankings, votes
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    venue = Venue.objects.create(key="NeurIPS", name="Neural Information Processing Systems")
    paper = make_paper("Attention Is All You Need", venue=venue, year=2017)
    author = make_user("ada", display_name="Ada L.")
    summary = make_summary(
        author=author, paper=paper, markdown="Self-attention: $\\mathrm{softmax}(QK^T)V$"
    )
    voter = make_user("ben")
    votes.cast(voter, summary.pk, 1)
    comments.add(voter, summary.pk, "Why $\\sqrt{d_k}$?")
    return {"venue": venue, "paper": paper, "author": author, "summary": summary, "voter": voter}


@pytest.mark.parametrize("tab", ["popular", "recent", "best", "nonsense"])
def test_home_lists_summaries_under_their_paper(client, site, tab):
    response = client.get(f"/?tab={tab}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Attention Is All You Need" in html
    assert "<math" in html


def test_paper_page_shows_metadata_summaries_votes_and_comments(client, site):
    html = client.get(site["paper"].get_absolute_url()).content.decode()
    for expected in (
        "Attention Is All You Need",
        "Ada Lovelace",
        "NeurIPS",
        "2017",
        "We study things.",
        "Ada L.",
        "permalink",
        'aria-label="score">1<',
        "sqrt",
    ):
        assert expected in html, expected


def test_summary_permalink_page(client, site):
    response = client.get(f"/summaries/{site['summary'].pk}/")
    assert response.status_code == 200
    assert "softmax" in response.content.decode()


def test_user_page_shows_name_description_orcid_and_reputation(client, site):
    author = site["author"]
    author.orcid = "0000-0002-1825-0097"
    author.description_html = "<p>Researcher</p>"
    author.save()
    # Reputation counts votes older than two days (docs/rankings.md): age the one vote.
    Vote.objects.update(updated_at=timezone.now() - timedelta(days=3))
    rankings.refresh_reputation()
    html = client.get("/users/ada/").content.decode()
    for expected in ("Ada L.", "Researcher", "0000-0002-1825-0097", "Reputation 1.0", "Attention"):
        assert expected in html, expected
    # Typed, not proved: shown as unverified, and not as a link as if it were proven.
    assert "(unverified)" in html and 'href="https://orcid.org/0000-0002-1825-0097"' not in html


def test_a_verified_orcid_is_a_link_marked_verified(client, site):
    author = site["author"]
    author.orcid, author.orcid_verified = "0000-0002-1825-0097", True
    author.save()
    html = client.get("/users/ada/").content.decode()
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html and ">verified<" in html
    assert "(unverified)" not in html


def test_with_the_orcid_sandbox_the_verified_link_goes_to_the_sandbox(client, site, settings):
    settings.ORCID_BASE_DOMAIN = "sandbox.orcid.org"
    author = site["author"]
    author.orcid, author.orcid_verified = "0000-0002-1825-0097", True
    author.save()
    html = client.get("/users/ada/").content.decode()
    assert 'href="https://sandbox.orcid.org/0000-0002-1825-0097"' in html


@pytest.mark.parametrize(
    "url", ["/users/", "/venues/", "/venues/NeurIPS/", "/venues/neurips/?year=2017", "/about/"]
)
def test_listing_pages_answer(client, site, url):
    response = client.get(url)
    assert response.status_code == 200


def test_about_page_has_the_writing_guidelines(client, db):
    html = client.get("/about/").content.decode()
    assert "Writing guidelines" in html
    assert "\\vert" in html
    assert "\\$" in html


def test_random_redirects_to_a_public_summary(client, site):
    response = client.get("/random/")
    assert response.status_code == 302
    assert response["Location"] == f"/summaries/{site['summary'].pk}/"


def test_cite_links_lead_to_the_paper(client, site):
    arxiv = site["paper"].identifiers.get(scheme="arxiv").value
    response = client.get(f"/cite/{arxiv}")
    assert response.status_code == 302
    assert response["Location"] == site["paper"].get_absolute_url()
    assert client.get("/cite/unknown/key").status_code == 404


def test_missing_things_are_404_pages(client, db):
    for url in ("/papers/999/", "/summaries/999/", "/users/nobody/", "/venues/NOPE/"):
        assert client.get(url).status_code == 404, url


def test_home_pages_through_results(client, settings, db):
    settings.PAGE_SIZE = 2
    for _ in range(3):
        make_summary()
    first, second = client.get("/?tab=recent"), client.get("/?tab=recent&page=2")
    assert 'rel="next" href="?tab=recent&amp;after=' in first.content.decode()
    assert second.status_code == 200 and 'rel="prev"' in second.content.decode()


def test_static_assets_are_served_by_us_not_a_cdn(client, site):
    html = client.get("/").content.decode()
    assert "/static/shortscience/math/math.css" in html
    assert "cdn" not in html.lower()
