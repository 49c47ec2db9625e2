"""The anonymous page cache through HTTP: hits cost no query, every write shows at the next load,
signed-in readers never get a shared copy, and conditional requests get 304s."""

from __future__ import annotations

import gzip

import pytest
from django.test import Client

from shortscience.models import Summary
from shortscience.services import comments, moderation, votes
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    paper = make_paper("Cached paper")
    summary = make_summary(paper=paper, markdown="First version of the text $x^2$")
    return summary


def test_a_second_anonymous_request_is_the_same_page_and_costs_no_query(
    published, django_assert_num_queries
):
    url = published.paper.get_absolute_url()
    first = Client().get(url)
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert "First version of the text" in second.content.decode()


def test_a_cached_page_carries_its_length(published):
    # Without one, the page went out chunked and some sizes waited on TCP's delayed ACK.
    url = published.paper.get_absolute_url()
    for _ in range(2):
        response = Client().get(url)
        assert int(response["Content-Length"]) == len(response.content)


def test_a_cached_page_is_sent_gzipped_to_who_asks(published):
    url = published.paper.get_absolute_url()
    plain = Client().get(url).content
    zipped = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain
    assert zipped["Vary"] == "Accept-Encoding"


def test_a_vote_shows_to_an_anonymous_reader_at_the_next_load(published):
    url = published.paper.get_absolute_url()
    before = Client().get(url).content.decode()
    votes.cast(make_user(), published.pk, 1)
    after = Client().get(url).content.decode()
    assert before != after
    assert '<span class="score" aria-label="score">1</span>' in after


def test_a_comment_shows_at_the_next_load_on_the_paper_summary_and_home(published):
    urls = [published.paper.get_absolute_url(), f"/summaries/{published.pk}/", "/"]
    for url in urls:
        Client().get(url)
    comments.add(make_user(), published.pk, "A fresh remark about lemma 2")
    for url in urls[:2]:
        assert "A fresh remark about lemma 2" in Client().get(url).content.decode(), url


def test_an_edit_shows_on_every_page_that_shows_the_summary(published):
    urls = [
        published.paper.get_absolute_url(),
        f"/summaries/{published.pk}/",
        f"/users/{published.author.username}/",
        "/feeds/recent.atom",
    ]
    for url in urls:
        assert "First version" in Client().get(url).content.decode(), url
    make_summary(published.author, published.paper, "Second version entirely")
    for url in urls:
        html = Client().get(url).content.decode()
        assert "Second version entirely" in html, url
        assert "First version" not in html, url


def test_a_summary_made_private_leaves_every_cached_page(published):
    urls = [
        "/",
        published.paper.get_absolute_url(),
        f"/summaries/{published.pk}/",
        f"/users/{published.author.username}/",
        "/feeds/recent.atom",
        "/rss.xml",
    ]
    for url in urls:
        Client().get(url)
    make_summary(published.author, published.paper, published.markdown, private=True)
    for url in urls:
        response = Client().get(url)
        assert "First version of the text" not in response.content.decode(), url


def test_a_hidden_summary_leaves_every_cached_page(published):
    moderator = make_user(is_staff=True)
    urls = ["/", published.paper.get_absolute_url(), "/feeds/recent.atom"]
    for url in urls:
        assert "First version" in Client().get(url).content.decode()
    moderation.act(moderator, "hide", "summary", published.pk, "spam")
    for url in urls:
        assert "First version" not in Client().get(url).content.decode(), url


def test_a_summary_made_anonymous_stops_naming_its_author_in_cached_pages(published):
    author = published.author
    url = published.paper.get_absolute_url()
    assert f"/users/{author.username}/" in Client().get(url).content.decode()
    make_summary(author, published.paper, published.markdown, anonymous=True)
    assert f"/users/{author.username}/" not in Client().get(url).content.decode()


def test_a_signed_in_reader_never_gets_the_shared_copy(published, client_for):
    url = published.paper.get_absolute_url()
    Client().get(url)
    reader = make_user("signedreader")
    response = client_for(reader).get(url)
    assert "signedreader" in response.content.decode()
    assert "X-Accel-Expires" not in response
    assert "private" in response["Cache-Control"]


def test_a_draft_shows_only_to_its_author_even_after_the_page_was_cached(published, client_for):
    writer = make_user("draftwriter")
    url = published.paper.get_absolute_url()
    Client().get(url)
    make_summary(writer, published.paper, "Draft words here", publish=False)
    assert "Draft words here" not in Client().get(url).content.decode()
    assert "Draft words here" in client_for(writer).get(url).content.decode()


def test_anonymous_pages_carry_validators_and_the_edge_cache_header(published):
    response = Client().get(published.paper.get_absolute_url())
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert response["X-Accel-Expires"] == "1"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


def test_a_matching_etag_gets_304_and_a_write_changes_it(published, django_assert_num_queries):
    url = published.paper.get_absolute_url()
    etag = Client().get(url)["ETag"]
    with django_assert_num_queries(0):
        assert Client().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    votes.cast(make_user(), published.pk, 1)
    fresh = Client().get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag


def test_if_modified_since_the_copy_was_made_gets_304(published):
    url = published.paper.get_absolute_url()
    stamp = Client().get(url)["Last-Modified"]
    assert Client().get(url, HTTP_IF_MODIFIED_SINCE=stamp).status_code == 304


def test_pages_that_are_not_shared_are_never_cached(published):
    for url in ["/accounts/login/", "/random/", f"/papers/{published.paper_id}/write/"]:
        response = Client().get(url)
        assert "X-Accel-Expires" not in response, url


def test_an_htmx_request_or_a_session_cookie_bypasses_the_cache(
    published, django_assert_max_num_queries
):
    url = published.paper.get_absolute_url()
    Client().get(url)
    with django_assert_max_num_queries(50) as captured:
        Client().get(url, HTTP_HX_REQUEST="true")
    assert len(captured) > 0
    stale = Client()
    stale.cookies["sessionid"] = "not-a-real-session"
    response = stale.get(url)
    assert "X-Accel-Expires" not in response


def test_a_missing_page_is_not_stored(published):
    Summary.objects.filter(pk=published.pk).update(is_hidden=True)
    assert Client().get("/papers/999999/").status_code == 404
    assert "X-Accel-Expires" not in Client().get("/papers/999999/")


def test_the_cache_can_be_switched_off(published, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_ENABLED = False
    url = published.paper.get_absolute_url()
    Client().get(url)
    with django_assert_max_num_queries(50) as captured:
        response = Client().get(url)
    assert len(captured) > 0
    assert "X-Accel-Expires" not in response


def _view_names(resolver=None, namespace=""):
    from django.urls import URLResolver, get_resolver

    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _view_names(pattern, inner)
        elif pattern.name:
            yield namespace + pattern.name


def test_every_page_the_cache_names_is_a_route():
    from shortscience.services.pagecache import PAGES

    assert set(PAGES) - set(_view_names()) == set()


def test_an_anonymous_api_read_is_cached_and_a_token_bypasses_it(published, settings):
    url = f"/api/v1/summaries/{published.pk}"
    first = Client().get(url)
    assert first.status_code == 200
    assert first["X-Accel-Expires"] == "1"
    assert Client().get(url).content == first.content
    with_token = Client().get(url, HTTP_AUTHORIZATION="Bearer ss_not_a_real_token")
    assert "X-Accel-Expires" not in with_token


def test_an_edit_in_the_admin_shows_at_the_next_load(published, rf):
    from django.contrib import admin

    from shortscience.models import Paper

    url = published.paper.get_absolute_url()
    Client().get(url)
    Paper.objects.filter(pk=published.paper_id).update(title="Retitled by staff")
    paper = Paper.objects.get(pk=published.paper_id)
    request = rf.post("/admin/")
    request.user = make_user(is_staff=True, is_superuser=True)
    admin.site._registry[Paper].log_change(request, paper, "Changed title.")
    assert "Retitled by staff" in Client().get(url).content.decode()


def test_feeds_are_shared_with_signed_in_readers_too(
    published, client_for, django_assert_num_queries
):
    Client().get("/feeds/recent.atom")
    reader = client_for(make_user("feedreader"))
    with django_assert_num_queries(0):
        response = reader.get("/feeds/recent.atom")
    assert "First version" in response.content.decode()
    assert response["X-Accel-Expires"] == "1"


def test_only_feeds_and_sitemaps_are_shared_with_everyone():
    from shortscience.services.pagecache import FOR_EVERYONE

    assert FOR_EVERYONE
    assert all(name.startswith(("feed-", "rss-", "sitemap", "django.")) for name in FOR_EVERYONE)
    assert "paper" not in FOR_EVERYONE and "api-v1:summary_list" not in FOR_EVERYONE
