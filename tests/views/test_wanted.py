"""The request box on the paper page, asking and withdrawing with and without htmx, the reader's
own state kept out of shared pages, and the most wanted page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shortscience.services import wanted
from tests.factories import make_paper, make_user

pytestmark = pytest.mark.django_db


def test_a_plain_post_asks_and_redirects_to_the_paper(client):
    ada = make_user()
    paper = make_paper()
    client.force_login(ada)
    answer = client.post(reverse("wanted-toggle", args=[paper.pk]), {"action": "want"})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("paper", args=[paper.pk])
    assert wanted.has_requested(ada, paper.pk)
    client.post(reverse("wanted-toggle", args=[paper.pk]), {"action": "withdraw"})
    assert not wanted.has_requested(ada, paper.pk)


def test_an_htmx_post_answers_with_the_new_state(client):
    ada = make_user()
    paper = make_paper()
    client.force_login(ada)
    answer = client.post(
        reverse("wanted-toggle", args=[paper.pk]), {"action": "want"}, HTTP_HX_REQUEST="true"
    )
    body = answer.content.decode()
    assert "1 reader wants a summary" in body
    assert "You want a summary" in body


def test_asking_needs_a_signed_in_reader(client):
    paper = make_paper()
    answer = client.post(reverse("wanted-toggle", args=[paper.pk]), {"action": "want"})
    assert answer.status_code in (302, 401)
    assert wanted.count_for(paper.pk) == 0


def test_the_paper_page_shows_the_count_but_not_who_asked(client):
    ada, bob = make_user(), make_user()
    paper = make_paper()
    wanted.want(ada, paper.pk)
    client.force_login(bob)
    body = client.get(reverse("paper", args=[paper.pk])).content.decode()
    assert "1 reader wants a summary of this paper" in body
    assert "You want a summary" not in body  # the own state only comes from wanted-state
    client.force_login(ada)
    body = client.get(reverse("paper", args=[paper.pk])).content.decode()
    assert "You want a summary" not in body
    state = client.get(reverse("wanted-state", args=[paper.pk])).content.decode()
    assert "You want a summary" in state


def test_the_most_wanted_page_lists_papers_in_bounded_queries(
    client, django_assert_max_num_queries
):
    for n in range(5):
        paper = make_paper(f"Paper {n}")
        for _ in range(n + 1):
            wanted.want(make_user(), paper.pk)
    with django_assert_max_num_queries(6):
        answer = client.get(reverse("wanted"))
    body = answer.content.decode()
    assert answer.status_code == 200
    assert body.index("Paper 4") < body.index("Paper 0")
    assert "5 requests" in body
