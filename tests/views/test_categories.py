"""The new papers pages (/new/, /new/<category>/) and the follow buttons of venues, categories
and searches, through HTTP in-process: with and without htmx, CSRF, bounded queries, and the
shared signed-in copy of the venue page telling each reader their own button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shortscience.models import Follow, User, Venue
from shortscience.services import categories, follows
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def test_the_index_lists_categories_with_counts_and_links_them():
    make_paper(categories=["cs.LG"])
    make_paper(categories=["cs.LG", "hep-th"])
    html = Client().get("/new/").content.decode()
    assert 'href="/new/cs.LG/"' in html and "2 papers" in html
    assert 'href="/new/hep-th/"' in html and "1 paper<" in html


def test_a_category_page_lists_its_papers_with_counts_in_bounded_queries(
    django_assert_max_num_queries: Any,
):
    paper = make_paper("Summarised paper", categories=["cs.LG"])
    make_summary(make_user(), paper)
    for n in range(8):
        make_paper(f"Another paper {n}", categories=["cs.LG"])
    with django_assert_max_num_queries(3):
        response = Client().get("/new/cs.LG/")
    html = response.content.decode()
    assert response.status_code == 200 and "New papers in cs.LG" in html
    assert "Summarised paper" in html and "1 summary" in html and "0 requests" in html
    assert "Sign in to follow cs.LG" in html


def test_a_category_page_pages_by_cursor(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(categories, "NEW_PAPERS_PAGE_SIZE", 2)
    for n in range(3):
        make_paper(f"Paged paper {n}", categories=["cs.LG"])
    first = Client().get("/new/cs.LG/").content.decode()
    assert "Paged paper 2" in first and "Paged paper 0" not in first
    cursor = first.split('rel="next" href="?after=')[1].split('"')[0]
    second = Client().get(f"/new/cs.LG/?after={cursor}").content.decode()
    assert "Paged paper 0" in second and "Paged paper 2" not in second
    assert Client().get("/new/cs.LG/?after=garbage").status_code == 200


def test_an_unknown_category_is_404():
    assert Client().get("/new/cs.LG/").status_code == 404
    assert Client().get("/new/NOT.valid/").status_code == 404


def test_the_paper_page_links_its_category_tags_to_their_new_papers_pages():
    paper = make_paper(categories=["cs.LG", "stat.ML"])
    html = Client().get(f"/papers/{paper.pk}/").content.decode()
    assert 'href="/new/cs.LG/"' in html and 'href="/new/stat.ML/"' in html


def test_following_a_category_without_javascript_and_with_htmx(client_for: ClientFor):
    make_paper(categories=["cs.LG"])
    ada = make_user()
    client = client_for(ada)
    response = client.post("/follow/category/cs.LG/", {"action": "follow", "next": "/new/cs.LG/"})
    assert response.status_code == 302 and response["Location"] == "/new/cs.LG/"
    assert "Following cs.LG ✓" in client.get("/new/cs.LG/").content.decode()
    swapped = client.post(
        "/follow/category/cs.LG/", {"action": "unfollow", "label": "cs.LG"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Follow cs.LG" in swapped and 'value="follow"' in swapped
    assert not Follow.objects.filter(follower=ada).exists()
    assert client.post("/follow/category/nothing.here/").status_code == 404


def test_the_venue_pages_shared_copy_shows_each_reader_their_own_button(client_for: ClientFor):
    venue = Venue.objects.create(key="NeurIPS", name="NeurIPS")
    make_paper(venue=venue)
    ada, bob = make_user(), make_user()
    assert "Follow this venue" in client_for(bob).get("/venues/NeurIPS/").content.decode()
    response = client_for(ada).post(f"/follow/venue/{venue.pk}/", {"action": "follow"})
    assert response.status_code == 302
    assert "Following this venue ✓" in client_for(ada).get("/venues/NeurIPS/").content.decode()
    page = client_for(bob).get("/venues/NeurIPS/").content.decode()
    assert "Follow this venue" in page and "Following this venue" not in page


def test_following_a_search_from_its_results(client_for: ClientFor):
    make_paper("Attention is all you need")
    ada = make_user()
    client = client_for(ada)
    html = client.get("/search/?q=attention").content.decode()
    assert "Follow this search" in html and 'action="/follow/search/"' in html
    swapped = client.post(
        "/follow/search/", {"q": " attention ", "action": "follow"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Following this search ✓" in swapped
    assert follows.following_sets(ada).queries == {"attention"}
    assert "Following this search ✓" in client.get("/search/?q=attention").content.decode()
    spaced = client.get("/search/?q=attention%20%20").content.decode()
    assert "Following this search ✓" in spaced
    listed = client.get("/following/").content.decode()
    assert "Search:" in listed and "/search/?q=attention" in listed
    back = client.post("/follow/search/", {"q": "attention", "action": "unfollow"})
    assert back.status_code == 302 and not Follow.objects.filter(follower=ada).exists()
    assert client.post("/follow/search/", {"q": " "}).status_code == 400


def test_following_searches_is_post_only_with_csrf_and_a_sign_in(client_for: ClientFor):
    ada = make_user()
    assert client_for(ada).get("/follow/search/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ada)
    assert strict.post("/follow/search/", {"q": "attention"}).status_code == 403
    assert Client().post("/follow/search/", {"q": "attention"}).status_code == 302
    assert not Follow.objects.exists()


def test_the_following_page_lists_venues_and_categories(client_for: ClientFor):
    venue = Venue.objects.create(key="ICML", name="International Conference on ML")
    make_paper(categories=["cs.LG"])
    ada = make_user()
    follows.follow(ada, "venue", venue.pk)
    follows.follow(ada, "category", "cs.LG")
    html = client_for(ada).get("/following/").content.decode()
    assert "Venue: <a" in html and "International Conference on ML" in html
    assert 'arXiv category: <a href="/new/cs.LG/">cs.LG</a>' in html
    assert html.count("Following  ✓") == 2
