"""The card memo (templatetags/cards.py) gives exactly what rendering the card afresh gives, for
every kind of viewer, and never hands one viewer's card (or CSRF token) to another."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shortscience.services import comments, follows, neutralpages, votes
from shortscience.templatetags import cards
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def world():
    paper = make_paper("Memo paper")
    writer = make_user("memowriter", display_name="Memo Writer")
    summary = make_summary(writer, paper, "A summary with $x$ and words")
    anonymous = make_summary(make_user(), paper, "Anonymous words $y$", anonymous=True)
    reader = make_user("memoreader")
    votes.cast(reader, summary.pk, 1)
    first = comments.add(reader, summary.pk, "Reader's question")
    comments.add(writer, summary.pk, "Writer's answer", parent_id=first.pk)
    follows.follow(reader, "summary", summary.pk)
    return {"paper": paper, "writer": writer, "reader": reader, "anon": anonymous.author}


def _pages(world):
    return [
        world["paper"].get_absolute_url(),
        "/",
        "/?tab=recent",
        f"/users/{world['writer'].username}/",
    ]


def _viewers(world):
    return {
        "stranger": None,
        "writer": world["writer"],
        "reader": world["reader"],
        "anonymous author": world["anon"],
        "someone new": make_user("memonew"),
    }


def _get(user, url):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url).content.decode()


def test_a_remembered_card_is_the_card_rendered_afresh_for_every_viewer(world, settings):
    settings.PAGE_CACHE_ENABLED = False  # compare renders, not cached pages
    for name, user in _viewers(world).items():
        for url in _pages(world):
            cards.forget_all()
            fresh = _get(user, url)
            remembered = _get(user, url)  # every card from the memo now
            assert _TOKEN.sub("T", remembered) == _TOKEN.sub("T", fresh), (name, url)


def test_viewers_in_turn_each_get_their_own_cards(world, settings):
    settings.PAGE_CACHE_ENABLED = False
    url = world["paper"].get_absolute_url()
    alone = {}
    viewers = _viewers(world)
    for name, user in viewers.items():
        cards.forget_all()
        alone[name] = _TOKEN.sub("T", _get(user, url))
    cards.forget_all()
    for name, user in viewers.items():  # one memo filled by everybody in turn
        assert _TOKEN.sub("T", _get(user, url)) == alone[name], name


def test_the_csrf_token_in_a_remembered_card_is_the_readers_own(world, settings):
    settings.PAGE_CACHE_ENABLED = False
    url = world["paper"].get_absolute_url()
    _get(world["reader"], url)
    client = Client()
    client.force_login(world["writer"])
    html = client.get(url).content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html))
    assert tokens and all(tokens)
    assert neutralpages.csrf_placeholder() not in html
    # The token works: a vote posted with it from the page is accepted.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["reader"])
    page = strict.get(url).content.decode()
    token_field = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', page)
    vote_form = re.search(r'action="/summaries/(\d+)/vote/"', page)
    assert token_field is not None and vote_form is not None, page
    token, summary_id = token_field.group(1), vote_form.group(1)
    answer = strict.post(
        f"/summaries/{summary_id}/vote/", {"value": "up", "csrfmiddlewaretoken": token}
    )
    assert answer.status_code in (200, 302)


def test_a_change_to_what_a_card_shows_gives_a_new_card(world, settings):
    settings.PAGE_CACHE_ENABLED = False
    url = world["paper"].get_absolute_url()
    _get(world["reader"], url)
    comments.add(world["writer"], world["paper"].summaries.first().pk, "A brand new remark")
    assert "A brand new remark" in _get(world["reader"], url)


def test_text_written_by_a_user_cannot_contain_the_placeholder():
    assert len(neutralpages.csrf_placeholder()) >= 36
    assert neutralpages.csrf_placeholder().startswith("csrf")
