"""Signed-in pages from the shared copy (services/neutralpages.py): a reader related to nothing on
the page gets the copy with their own header and CSRF token, for a few queries; any relation (a
vote, a summary or comment of theirs, a follow, their own page or drafts) gets the full render, so
what each reader sees is exactly what rendering the page for them would show."""

from __future__ import annotations

import gzip
import re

import pytest
from django.test import Client

from shortscience.models import Summary, User
from shortscience.services import comments, follows, neutralpages, votes
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

# The session, and one query for the reader with their relations to the page (votes, own summaries,
# follows) and their unread count: what the copy costs whatever the page shows.
PAPER_PAGE_QUERIES = 2


@pytest.fixture
def published() -> Summary:
    paper = make_paper("Shared paper")
    summary = make_summary(paper=paper, markdown="The shared text $x^2$")
    comments.add(make_user("commenter"), summary.pk, "A first comment")
    return summary


def _signed_in(client_for, username: str) -> tuple[Client, User]:
    reader = make_user(username, display_name=f"Reader {username}")
    return client_for(reader), reader


def _render_for_real(client: Client, url: str, settings) -> str:
    settings.PAGE_CACHE_ENABLED = False
    try:
        return client.get(url).content.decode()
    finally:
        settings.PAGE_CACHE_ENABLED = True


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", html)


def test_the_shared_copy_is_exactly_what_rendering_for_the_reader_gives(
    published, client_for, settings
):
    client, _ = _signed_in(client_for, "alice")
    for url in (published.paper.get_absolute_url(), "/", f"/summaries/{published.pk}/"):
        client.get(url)  # stores the shared copy
        shared = client.get(url).content.decode()
        assert _without_tokens(shared) == _without_tokens(_render_for_real(client, url, settings))


def test_a_reader_related_to_nothing_gets_the_copy_for_a_fixed_number_of_queries(
    published, client_for, django_assert_max_num_queries
):
    url = published.paper.get_absolute_url()
    first, _ = _signed_in(client_for, "alice")
    first.get(url)
    second, _ = _signed_in(client_for, "bob")
    with django_assert_max_num_queries(PAPER_PAGE_QUERIES):
        page = second.get(url).content.decode()
    assert "Reader bob" in page
    assert "Reader alice" not in page
    assert neutralpages.csrf_placeholder() not in page
    assert neutralpages.header_placeholder() not in page
    assert "Sign out" in page


def test_the_copys_forms_carry_the_readers_own_working_token(published, client_for):
    reader = make_user("voter")
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    url = published.paper.get_absolute_url()
    client_for(make_user("warmer")).get(url)
    page = client.get(url).content.decode()
    token_field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token_field is not None, page
    token = token_field.group(1)
    answer = client.post(
        f"/summaries/{published.pk}/vote/", {"value": "up", "csrfmiddlewaretoken": token}
    )
    assert answer.status_code in (200, 302)
    assert published.votes.filter(user=reader, value=1).exists()


def test_a_reader_who_voted_sees_their_vote(published, client_for):
    url = published.paper.get_absolute_url()
    client_for(make_user("warmer")).get(url)
    client, reader = _signed_in(client_for, "voter")
    votes.cast(reader, published.pk, 1)
    page = client.get(url).content.decode()
    assert 'class="up on"' in page
    other, _ = _signed_in(client_for, "other")
    assert 'class="up on"' not in other.get(url).content.decode()


def test_the_author_gets_their_own_buttons_and_nobody_else_does(published, client_for):
    url = published.paper.get_absolute_url()
    client_for(make_user("warmer")).get(url)
    author = client_for(published.author).get(url).content.decode()
    assert "Edit your summary" in author
    reader, _ = _signed_in(client_for, "reader")
    assert "Edit your summary" not in reader.get(url).content.decode()


def test_an_anonymous_summarys_author_sees_you_and_nobody_else_does(client_for):
    summary = make_summary(paper=make_paper("Secret paper"), anonymous=True)
    url = summary.paper.get_absolute_url()
    client_for(make_user("warmer")).get(url)
    assert "Anonymous (you)" in client_for(summary.author).get(url).content.decode()
    reader, _ = _signed_in(client_for, "reader")
    page = reader.get(url).content.decode()
    assert "Anonymous (you)" not in page
    assert summary.author.username not in page


def test_a_commenter_gets_edit_links_on_their_comment(published, client_for):
    url = f"/summaries/{published.pk}/"
    client_for(make_user("warmer")).get(url)
    commenter = published.comments.get().author
    page = client_for(commenter).get(url).content.decode()
    assert "/edit/" in page and "delete</button>" in page


def test_a_follower_sees_following(published, client_for):
    url = published.paper.get_absolute_url()
    client_for(make_user("warmer")).get(url)
    client, reader = _signed_in(client_for, "follower")
    follows.follow(reader, "paper", published.paper.pk)
    assert "Following this paper" in client.get(url).content.decode()
    other, _ = _signed_in(client_for, "other")
    assert "Following this paper" not in other.get(url).content.decode()


def test_a_draft_shows_on_the_paper_page_to_its_author_alone(published, client_for):
    url = published.paper.get_absolute_url()
    client_for(make_user("warmer")).get(url)
    writer = make_user("drafter")
    make_summary(writer, published.paper, "My unfinished draft", publish=False)
    assert "My unfinished draft" in client_for(writer).get(url).content.decode()
    reader, _ = _signed_in(client_for, "reader")
    assert "My unfinished draft" not in reader.get(url).content.decode()


def test_a_persons_own_page_is_theirs(published, client_for):
    url = f"/users/{published.author.username}/"
    client_for(make_user("warmer")).get(url)
    own = client_for(published.author).get(url).content.decode()
    assert "Flag this person for moderators" not in own
    reader, _ = _signed_in(client_for, "reader")
    assert "Flag this person for moderators" in reader.get(url).content.decode()


def test_the_unread_count_is_the_readers_own(published, client_for):
    url = "/"
    client_for(make_user("warmer")).get(url)
    author_client = client_for(published.author)
    comments.add(make_user("someone"), published.pk, "Another comment, which notifies the author")
    page = author_client.get(url).content.decode()
    assert 'class="badge unread-count">' in page
    reader, _ = _signed_in(client_for, "reader")
    assert 'class="badge unread-count">' not in reader.get(url).content.decode()


def test_staff_get_the_full_render_with_the_moderation_link(published, client_for):
    url = published.paper.get_absolute_url()
    client_for(make_user("warmer")).get(url)
    staff = make_user("staffer", is_staff=True)
    assert "Moderation queue" in client_for(staff).get(url).content.decode()
    reader, _ = _signed_in(client_for, "reader")
    assert "Moderation queue" not in reader.get(url).content.decode()


def test_someone_elses_vote_shows_at_the_next_load(published, client_for):
    url = published.paper.get_absolute_url()
    client, _ = _signed_in(client_for, "reader")
    client.get(url)
    votes.cast(make_user("someone"), published.pk, 1)
    assert '<span class="score" aria-label="score">1</span>' in client.get(url).content.decode()


def test_a_signed_in_page_is_private_to_its_reader(published, client_for):
    client, _ = _signed_in(client_for, "reader")
    url = published.paper.get_absolute_url()
    client.get(url)
    response = client.get(url)
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_a_session_ended_by_a_password_change_never_gets_the_copy(published, client_for):
    url = published.paper.get_absolute_url()
    client_for(make_user("warmer")).get(url)
    client, reader = _signed_in(client_for, "changer")
    assert "Reader changer" in client.get(url).content.decode()
    reader.set_password("a-brand-new-long-password")
    reader.save()
    page = client.get(url).content.decode()
    assert "Reader changer" not in page
    assert "Sign in" in page


def test_a_deactivated_persons_session_never_gets_the_copy(published, client_for):
    url = published.paper.get_absolute_url()
    client_for(make_user("warmer")).get(url)
    client, reader = _signed_in(client_for, "leaver")
    client.get(url)
    type(reader).objects.filter(pk=reader.pk).update(is_active=False)
    assert "Reader leaver" not in client.get(url).content.decode()


def test_the_copy_answers_without_loading_the_reader_twice(
    published, client_for, django_assert_max_num_queries
):
    # The session and one query for the reader's row with their relations to the page.
    url = "/"
    client_for(make_user("warmer")).get(url)
    client, _ = _signed_in(client_for, "reader")
    client.get(url)
    with django_assert_max_num_queries(2):
        assert "Reader reader" in client.get(url).content.decode()


def test_on_postgresql_the_copys_query_is_prepared_once_and_planned_no_more(published, client_for):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; SQLite caches its own plans")
    url = published.paper.get_absolute_url()
    client_for(make_user("warmer")).get(url)
    client, _ = _signed_in(client_for, "reader")
    for _ in range(12):
        client.get(url)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE '%%fact_unread%%'"
        )
        plans = cursor.fetchall()
    # One statement per shape of page; after PostgreSQL's five custom plans, the generic one.
    assert len(plans) == 1, plans
    generic, custom = plans[0]
    assert custom <= 5 and generic >= 6, plans


def test_the_session_comes_in_the_same_cache_round_trip_as_the_pages_versions(
    published, client_for, monkeypatch
):
    from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
    from django.core.cache import caches

    url = published.paper.get_absolute_url()
    client_for(make_user("warmer")).get(url)
    client, _ = _signed_in(client_for, "reader")
    client.get(url)
    cache = caches["default"]
    batches: list[list[str]] = []
    own_loads: list[str] = []
    real_get_many, real_load = cache.get_many, CachedDBStore.load

    def get_many(keys, *args, **kwargs):
        batches.append(list(keys))
        return real_get_many(keys, *args, **kwargs)

    def load(self):
        own_loads.append(self.session_key)
        return real_load(self)

    monkeypatch.setattr(cache, "get_many", get_many)
    monkeypatch.setattr(CachedDBStore, "load", load)
    assert "Reader reader" in client.get(url).content.decode()
    assert own_loads == []  # the session store read nothing itself
    assert len(batches) == 1 and any("session" in key for key in batches[0]), batches


def test_the_shared_copy_comes_gzipped_with_the_token_stored_apart(published, client_for):
    # services/splice.py: compressed once when stored; the reader's token sits uncompressed.
    client, reader = _signed_in(client_for, "gzipreader")
    url = published.paper.get_absolute_url()
    client.get(url)
    plain = client.get(url)
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"] and "Cookie" in zipped["Vary"]
    assert int(zipped["Content-Length"]) == len(zipped.content)
    html = gzip.decompress(zipped.content).decode()
    assert reader.display_name in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None and token.group(1).encode() in zipped.content
    assert _without_tokens(html) == _without_tokens(plain.content.decode())
