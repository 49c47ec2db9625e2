"""Voting and commenting through the pages, with and without htmx."""

import pytest

from shortscience.models import Comment, Vote
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def test_a_plain_form_vote_redirects_back(client_for):
    summary = make_summary()
    response = client_for(make_user()).post(
        f"/summaries/{summary.pk}/vote/", {"value": "up", "next": f"/papers/{summary.paper_id}/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/papers/{summary.paper_id}/"
    summary.refresh_from_db()
    assert summary.score == 1


def test_an_htmx_vote_returns_the_updated_widget(client_for):
    summary = make_summary()
    client = client_for(make_user())
    response = client.post(
        f"/summaries/{summary.pk}/vote/", {"value": "down"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="score">-1<' in html
    assert 'class="down on"' in html
    html = client.post(
        f"/summaries/{summary.pk}/vote/", {"value": "retract"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'aria-label="score">0<' in html


def test_voting_needs_post_sign_in_and_not_your_own(client, client_for):
    summary = make_summary()
    assert client.post(f"/summaries/{summary.pk}/vote/", {"value": "up"}).status_code == 302
    assert client_for(make_user()).get(f"/summaries/{summary.pk}/vote/?value=up").status_code == 405
    assert (
        client_for(summary.author)
        .post(f"/summaries/{summary.pk}/vote/", {"value": "up"})
        .status_code
        == 403
    )
    assert not Vote.objects.exists()


def test_a_vote_on_a_missing_summary_is_a_clear_404(client_for):
    response = client_for(make_user()).post("/summaries/424242/vote/", {"value": "up"})
    assert response.status_code == 404
    assert "no such public summary" in response.content.decode()


def test_an_unsafe_next_is_ignored(client_for):
    summary = make_summary()
    response = client_for(make_user()).post(
        f"/summaries/{summary.pk}/vote/", {"value": "up", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/summaries/{summary.pk}/"


def test_comment_reply_edit_and_delete_through_the_pages(client_for, client):
    summary = make_summary()
    writer = make_user()
    c = client_for(writer)
    c.post(f"/summaries/{summary.pk}/comments/", {"markdown": "First $x$"})
    top = Comment.objects.get()
    c.post(f"/summaries/{summary.pk}/comments/", {"markdown": "Reply", "parent": top.pk})
    assert c.get(f"/comments/{top.pk}/edit/").status_code == 200
    c.post(f"/comments/{top.pk}/edit/", {"markdown": "First, edited"})
    html = client.get(f"/summaries/{summary.pk}/").content.decode()
    assert "First, edited" in html
    assert "edited" in html
    assert "Reply" in html
    c.post(f"/comments/{top.pk}/delete/")
    html = client.get(f"/summaries/{summary.pk}/").content.decode()
    assert "[comment deleted]" in html
    assert "First, edited" not in html
    assert "Reply" in html


def test_an_empty_comment_says_why(client_for):
    summary = make_summary()
    response = client_for(make_user()).post(f"/summaries/{summary.pk}/comments/", {"markdown": ""})
    assert response.status_code == 400
    assert "empty" in response.content.decode()


def test_csrf_is_enforced_on_state_changes():
    from django.test import Client

    summary = make_summary()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    assert client.post(f"/summaries/{summary.pk}/vote/", {"value": "up"}).status_code == 403
