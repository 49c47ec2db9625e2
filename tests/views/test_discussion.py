"""Voting and commenting through the pages, with and without htmx."""

import pytest

from shortscience.models import Comment, Vote
from shortscience.services import comments
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


# --- Comment preview, mentions and blocks through the pages -------------------------------


def test_the_live_preview_answers_json_rendered_as_a_posted_comment(client_for):
    make_user("ada")
    summary = make_summary()
    client = client_for(make_user())
    response = client.post(
        f"/summaries/{summary.pk}/comments/preview/",
        {"markdown": "Hi @ada: $\\alpha^2$"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<math" in html and 'href="/users/ada/"' in html
    assert not Comment.objects.exists()


def test_the_live_preview_says_why_it_cannot_render(client_for, settings):
    settings.COMMENT_MAX_CHARS = 10
    summary = make_summary()
    response = client_for(make_user()).post(
        f"/summaries/{summary.pk}/comments/preview/",
        {"markdown": "x" * 11},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "the limit is 10" in response.json()["message"]


def test_without_js_the_preview_button_shows_the_rendering_and_keeps_the_text(client_for):
    summary = make_summary()
    top = comments.add(make_user(), summary.pk, "top")
    response = client_for(make_user()).post(
        f"/summaries/{summary.pk}/comments/preview/",
        {"markdown": "My **draft** reply", "parent": top.pk, "next": "/somewhere/", "preview": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>draft</strong>" in html
    assert ">My **draft** reply</textarea>" in html
    assert f'name="parent" value="{top.pk}"' in html
    assert 'name="next" value="/somewhere/"' in html
    assert not Comment.objects.filter(markdown__contains="draft").exists()


def test_a_failed_preview_keeps_the_text(client_for, settings):
    settings.COMMENT_MAX_CHARS = 10
    summary = make_summary()
    response = client_for(make_user()).post(
        f"/summaries/{summary.pk}/comments/preview/", {"markdown": "far too long a text"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "the limit is 10" in html and ">far too long a text</textarea>" in html


def test_the_preview_needs_post_csrf_and_a_signed_in_person(client_for):
    from django.test import Client

    summary = make_summary()
    url = f"/summaries/{summary.pk}/comments/preview/"
    assert client_for(make_user()).get(url).status_code == 405
    anonymous = Client().post(url, {"markdown": "x"}, HTTP_ACCEPT="application/json")
    assert anonymous.status_code == 401
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user())
    assert strict.post(url, {"markdown": "x"}).status_code == 403


def test_the_preview_is_rate_limited(client_for, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment_preview": "2/3600"}
    summary = make_summary()
    client = client_for(make_user())
    url = f"/summaries/{summary.pk}/comments/preview/"
    answers = [
        client.post(url, {"markdown": "x"}, HTTP_ACCEPT="application/json") for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]


def test_the_edit_page_previews_without_saving(client_for):
    author = make_user()
    comment = comments.add(author, make_summary().pk, "first")
    response = client_for(author).post(
        f"/comments/{comment.pk}/edit/", {"markdown": "*second*", "preview": "1"}
    )
    assert response.status_code == 200
    assert "<em>second</em>" in response.content.decode()
    comment.refresh_from_db()
    assert comment.markdown == "first"


def test_a_comment_form_offers_preview_and_the_live_preview_script(client_for):
    summary = make_summary()
    html = client_for(make_user()).get(f"/summaries/{summary.pk}/").content.decode()
    assert f'data-preview-url="/summaries/{summary.pk}/comments/preview/"' in html
    assert 'name="preview"' in html and "comments.js" in html


def test_a_posted_mention_links_and_notifies(client_for):
    ada = make_user("ada")
    summary = make_summary()
    client_for(make_user()).post(
        f"/summaries/{summary.pk}/comments/", {"markdown": "ping @ada"}, follow=True
    )
    page = client_for(make_user()).get(f"/summaries/{summary.pk}/").content.decode()
    assert 'class="mention"' in page and 'href="/users/ada/"' in page
    listing = client_for(ada).get("/notifications/").content.decode()
    assert "mentioned you in a comment" in listing


def test_the_block_button_blocks_and_settings_list_and_unblock(client_for):
    me, pest = make_user(), make_user("pest", display_name="The Pest")
    client = client_for(me)
    page = client.get("/users/pest/").content.decode()
    assert 'action="/users/pest/block/"' in page
    assert client.get("/users/pest/block/").status_code == 405
    response = client.post("/users/pest/block/", follow=True)
    assert "You blocked The Pest" in response.content.decode()
    listing = client.get("/settings/blocked/").content.decode()
    assert "The Pest" in listing and 'action="/users/pest/unblock/"' in listing
    client.post("/users/pest/unblock/")
    assert "You have not blocked anyone" in client.get("/settings/blocked/").content.decode()
    own = client_for(pest).get("/users/pest/").content.decode()
    assert "/users/pest/block/" not in own
