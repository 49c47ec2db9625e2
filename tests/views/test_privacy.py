"""Private and anonymous summaries leak through no page.

Every reader-facing URL is fetched as a stranger, as a stranger served from the page cache, as
another signed-in user and (for the anonymous case) through the htmx vote fragment; none may show
the private text, or the anonymous author's username, display name or profile link.
"""

import pytest
from django.test import Client
from django.urls import reverse

from shortscience.models import Venue
from shortscience.services import comments, summaries, votes
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

SECRET_TEXT = "zebra-secret-finding"


@pytest.fixture
def world():
    venue = Venue.objects.create(key="ICML", name="International Conference on Machine Learning")
    paper = make_paper("A Paper", venue=venue, year=2020)
    writer = make_user("hiddenwriter", display_name="Hidden Writer Name")
    other_paper = make_paper("Another Paper", venue=venue, year=2020)
    anonymous = make_summary(
        author=writer, paper=paper, anonymous=True, markdown="Anonymous insight $x$"
    )
    private = make_summary(author=writer, paper=other_paper, private=True, markdown=SECRET_TEXT)
    private = summaries.set_share_link(private.pk, writer, enabled=True)
    public_author = make_user("openwriter")
    visible = make_summary(author=public_author, paper=paper, markdown="Open text")
    reader = make_user("reader2")
    votes.cast(reader, anonymous.pk, 1)
    comments.add(reader, anonymous.pk, "Great point")
    return {
        "paper": paper,
        "other": other_paper,
        "anon": anonymous,
        "private": private,
        "visible": visible,
        "reader": reader,
        "writer": writer,
    }


def reader_urls(world):
    return [
        "/",
        "/?tab=recent",
        "/?tab=best",
        "/about/",
        "/users/",
        "/venues/",
        "/venues/ICML/",
        "/venues/ICML/?year=2020",
        world["paper"].get_absolute_url(),
        world["other"].get_absolute_url(),
        f"/summaries/{world['anon'].pk}/",
        f"/summaries/{world['visible'].pk}/",
        "/users/openwriter/",
        "/users/reader2/",
        "/users/hiddenwriter/",
        # Issue 14: the Markdown twins
        reverse("paper-markdown", args=[world["paper"].pk]),
        reverse("paper-markdown", args=[world["other"].pk]),
        reverse("summary-markdown", args=[world["anon"].pk]),
        reverse("summary-markdown", args=[world["visible"].pk]),
    ]


class CachedCopyClient(Client):
    """A stranger who always gets the second answer: the page cache's copy, where there is one."""

    def get(self, *args, **kwargs):
        super().get(*args, **kwargs)
        return super().get(*args, **kwargs)


def clients(world):
    signed_in = Client()
    signed_in.force_login(world["reader"])
    return {
        "stranger": Client(),
        "stranger served from the cache": CachedCopyClient(),
        "signed-in reader": signed_in,
    }


def test_an_anonymous_summary_never_shows_its_author(world):
    writer = world["writer"]
    for who, client in clients(world).items():
        for url in reader_urls(world):
            response = client.get(url, follow=True)
            html = response.content.decode()
            assert response.status_code == 200, (who, url)
            for leak in ("Hidden Writer Name", '/users/hiddenwriter/"', f'user-{writer.pk}"'):
                if url == "/users/hiddenwriter/" and leak != f'user-{writer.pk}"':
                    continue  # their own profile page names them, but must not list the summary
                assert leak not in html, (who, url, leak)
    profile = Client().get("/users/hiddenwriter/").content.decode()
    assert "Anonymous insight" not in profile
    assert "Reputation 0" in profile


def test_the_vote_fragment_of_an_anonymous_summary_names_nobody(world):
    client = Client()
    client.force_login(make_user())
    html = client.post(
        f"/summaries/{world['anon'].pk}/vote/", {"value": "up"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hiddenwriter" not in html
    assert "Hidden Writer" not in html


def test_a_private_summary_appears_nowhere_but_for_its_author_and_share_link(world):
    private = world["private"]
    for who, client in clients(world).items():
        for url in reader_urls(world):
            assert SECRET_TEXT not in client.get(url, follow=True).content.decode(), (who, url)
        assert client.get(f"/summaries/{private.pk}/").status_code == 404
        for _ in range(10):
            assert client.get("/random/")["Location"] != f"/summaries/{private.pk}/"
    owner = Client()
    owner.force_login(world["writer"])
    assert SECRET_TEXT in owner.get(f"/summaries/{private.pk}/").content.decode()
    assert SECRET_TEXT in Client().get(f"/s/{private.share_token}/").content.decode()


def test_the_users_list_does_not_count_anonymous_or_private_work(world):
    html = Client().get("/users/").content.decode()
    assert "hiddenwriter" not in html
    assert "Hidden Writer Name" not in html


def test_the_share_token_is_unguessable_and_not_shown_to_others(world):
    token = world["private"].share_token
    assert len(token) >= 40
    for who, client in clients(world).items():
        for url in reader_urls(world):
            assert token not in client.get(url, follow=True).content.decode(), (who, url)


def test_the_comment_box_warns_the_anonymous_author_that_a_comment_names_them(world, client_for):
    url = f"/summaries/{world['anon'].pk}/"
    own = client_for(world["writer"]).get(url).content.decode()
    assert "You posted this summary anonymously" in own
    other = client_for(world["reader"]).get(url).content.decode()
    assert "You posted this summary anonymously" not in other
