"""The parts of the accessibility check that the HTML alone shows (docs/accessibility.md): every
page has exactly one h1, a "Skip to content" link before anything else that takes the focus,
leading to the main content, and the header's search box, a labelled GET form to the search
page. The browser check (tests/browser/test_accessibility.py) runs axe on the main pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from shortscience.models import User, Venue
from shortscience.services import comments, library
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

FOCUSABLE = re.compile(r"<(a|button|input|select|textarea|summary)\b[^>]*>", re.S)
SKIP_LINK = '<a class="skip-link" href="#content">Skip to content</a>'


def accessible_page(html: str, where: str) -> None:
    body = html.split("<body", 1)[1]
    assert len(re.findall(r"<h1[\s>]", body)) == 1, (where, re.findall(r"<h1[^<]*<", body))
    first = FOCUSABLE.search(body)
    assert first is not None and body[first.start() :].startswith(SKIP_LINK), (where, first)
    assert len(re.findall(r'<main [^>]*id="content"', body)) == 1, where
    header = body.split("</header>", 1)[0]
    assert f'<form class="site-search" method="get" action="{reverse("search")}"' in header
    assert '<label class="visually-hidden" for="site-search-q">' in header
    assert '<input type="search" id="site-search-q" name="q"' in header


# (name, path, who signs in: None, "writer", "reader" or "mod")
Page = tuple[str, Callable[[dict[str, int]], str], str | None]
PAGES: list[Page] = [
    ("home", lambda ids: "/", None),
    ("home, recent", lambda ids: "/?tab=recent", "reader"),
    ("about", lambda ids: "/about/", None),
    ("paper", lambda ids: f"/papers/{ids['paper']}/", None),
    ("paper, signed in", lambda ids: f"/papers/{ids['paper']}/", "reader"),
    ("paper without summaries", lambda ids: f"/papers/{ids['empty']}/", "reader"),
    ("summary", lambda ids: f"/summaries/{ids['summary']}/", None),
    ("summary, its writer", lambda ids: f"/summaries/{ids['summary']}/", "writer"),
    ("revision history", lambda ids: f"/summaries/{ids['summary']}/revisions/", "writer"),
    ("editor", lambda ids: f"/papers/{ids['paper']}/write/", "writer"),
    ("editor, new summary", lambda ids: f"/papers/{ids['empty']}/write/", "reader"),
    ("comment edit", lambda ids: f"/comments/{ids['comment']}/edit/", "reader"),
    ("user", lambda ids: "/users/kaiming/", None),
    ("users", lambda ids: "/users/", None),
    ("venue", lambda ids: "/venues/CVPR/", None),
    ("venues", lambda ids: "/venues/", None),
    ("search", lambda ids: "/search/?q=residual", None),
    ("search, empty", lambda ids: "/search/", None),
    ("add", lambda ids: "/add/", "reader"),
    ("wanted", lambda ids: "/wanted/", None),
    ("library", lambda ids: "/library/", "reader"),
    ("library note", lambda ids: f"/library/papers/{ids['paper']}/note/", "reader"),
    ("following", lambda ids: "/following/", "reader"),
    ("notifications", lambda ids: "/notifications/", "writer"),
    ("notification settings", lambda ids: "/settings/notifications/", "reader"),
    ("profile", lambda ids: "/settings/profile/", "reader"),
    ("blocked people", lambda ids: "/settings/blocked/", "reader"),
    ("tokens", lambda ids: "/settings/tokens/", "reader"),
    ("export", lambda ids: "/settings/export/", "reader"),
    ("delete account", lambda ids: "/settings/delete-account/", "reader"),
    ("e-mail addresses", lambda ids: "/accounts/email/", "reader"),
    ("sign in", lambda ids: "/accounts/login/", None),
    ("sign up", lambda ids: "/accounts/signup/", None),
    ("moderation queue", lambda ids: "/moderation/", "mod"),
    ("moderation log", lambda ids: "/moderation/log/", None),
    ("moderation, hidden", lambda ids: "/moderation/hidden/", "mod"),
    ("moderation, people", lambda ids: "/moderation/people/", "mod"),
    ("not found", lambda ids: "/no-such-page/", None),
]


@pytest.fixture
def content(moderator: User) -> dict[str, User | int]:
    writer = make_user("kaiming")
    reader = make_user("reader")
    venue = Venue.objects.create(key="CVPR", name="Computer Vision and Pattern Recognition")
    paper = make_paper("Deep Residual Learning", venue=venue)
    summary = make_summary(
        author=writer, paper=paper, markdown="Residual $x + F(x)$, broken $\\frac{$."
    )
    comment = comments.add(reader, summary.pk, "A question about $F$.")
    library.save(reader, paper.pk)
    reading_list = library.create_list(reader, "Vision", public=True)
    return {
        "writer": writer,
        "reader": reader,
        "mod": moderator,
        "paper": paper.pk,
        "empty": make_paper("Attention Is All You Need").pk,
        "summary": summary.pk,
        "comment": comment.pk,
        "list": reading_list.pk,
    }


@pytest.mark.parametrize(("name", "path", "who"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_has_one_h1_a_skip_link_first_and_the_search_box(
    client_for, content, name, path, who
):
    ids = {key: value for key, value in content.items() if isinstance(value, int)}
    person = content.get(who or "")
    client = client_for(person) if isinstance(person, User) else Client()
    response = client.get(path(ids), follow=True)
    assert response.status_code == (404 if name == "not found" else 200), name
    accessible_page(response.content.decode(), name)


def test_the_public_reading_list_page_too(client, content):
    reader = content["reader"]
    assert isinstance(reader, User)
    reading_list = library.lists_of(reader)[-1]
    response = client.get(reading_list.get_absolute_url())
    assert response.status_code == 200
    accessible_page(response.content.decode(), "reading list")


def test_a_broken_formula_keeps_its_reason_for_the_page_to_show(client, content):
    html = client.get(f"/summaries/{content['summary']}/").content.decode()
    error = re.search(r'<span class="math-error" title="([^"]+)">([^<]+)</span>', html)
    assert error is not None and error.group(1) and error.group(2) == "\\frac{", html
