"""The anonymous page cache through HTTP: hits cost no query, every write shows at the next load,
signed-in readers never get a shared copy, and conditional requests get 304s."""

from __future__ import annotations

import gzip
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from shortscience.models import Summary, Vote
from shortscience.services import comments, moderation, rankings, summaries, votes
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


def test_a_stale_etag_wins_over_a_date_in_the_same_second(published):
    # A browser sends both; a page changed within the second of its old Last-Modified is new.
    url = published.paper.get_absolute_url()
    first = Client().get(url)
    votes.cast(make_user(), published.pk, 1)
    later = http_date(time.time() + 5)
    fresh = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=later)
    assert fresh.status_code == 200
    assert fresh["ETag"] != first["ETag"]


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


def test_only_feeds_sitemaps_and_markdown_twins_are_shared_with_everyone():
    from shortscience.services.pagecache import FOR_EVERYONE

    assert FOR_EVERYONE
    twins = {"paper-markdown", "summary-markdown"}
    assert twins <= FOR_EVERYONE
    assert all(
        name.startswith(("feed-", "rss-", "sitemap", "django.")) for name in FOR_EVERYONE - twins
    )
    assert "paper" not in FOR_EVERYONE and "api-v1:summary_list" not in FOR_EVERYONE


def _author_pages(username: str) -> dict[str, tuple[str, bytes]]:
    """ETag and bytes of every page that lists a person's summaries, as a stranger gets them."""
    urls = [
        f"/users/{username}/",
        f"/users/{username}/feed.atom",
        f"/users/{username}/feed.rss",
        f"/api/v1/users/{username}",
        f"/api/v1/users/{username}/summaries",
    ]
    pages = {}
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 200, url
        pages[url] = (response["ETag"], response.content)
    return pages


@pytest.mark.parametrize("anonymous", [True, False])
def test_writes_under_a_summary_touch_its_authors_pages_only_when_they_show_it(anonymous):
    # Anyone may comment or vote under an anonymous summary and then compare people's ETags:
    # the author's must not move when a bystander's does not (docs/decisions/0005-page-cache.md).
    writer = make_user("secretwriter")
    make_summary(writer, make_paper("A named one"), "Named and public.")
    summary = make_summary(writer, make_paper("Whose is it"), "Who wrote me?", anonymous=anonymous)
    bystander = make_user("bystander")
    make_summary(bystander, make_paper("Other work"), "Unrelated.")
    before = _author_pages("secretwriter"), _author_pages("bystander")
    stranger = make_user("stranger")
    comments.add(stranger, summary.pk, "A stranger's probing remark")
    votes.cast(stranger, summary.pk, 1)
    votes.cast(make_user(), summary.pk, 1)
    after = _author_pages("secretwriter"), _author_pages("bystander")
    assert after[1] == before[1]
    if anonymous:
        assert after[0] == before[0]
    else:  # the named summary's score shows on its author's pages
        changed = [url for url in after[0] if after[0][url][0] != before[0][url][0]]
        assert "/users/secretwriter/" in changed
        assert "/api/v1/users/secretwriter/summaries" in changed


def test_editing_an_anonymous_summary_leaves_its_authors_pages_alone():
    # The author's ETag must not move the moment "Anonymous" edits their summary.
    writer = make_user("editingwriter")
    make_summary(writer, make_paper("A named one"), "Named and public.")
    summary = make_summary(writer, make_paper("Edited"), "First words.", anonymous=True)
    before = _author_pages("editingwriter")
    summaries.save(
        writer,
        summary.paper,
        summaries.SaveRequest(
            markdown="Second, better words.", publish=True, private=False, anonymous=True
        ),
    )
    assert Summary.objects.get(pk=summary.pk).markdown == "Second, better words."
    assert _author_pages("editingwriter") == before


def test_reputation_shown_on_the_authors_pages_ignores_an_anonymous_summarys_votes():
    # Otherwise the reputation on /users/<author>/ would move with the anonymous summary's votes.
    writer = make_user("quietwriter")
    named = make_summary(writer, make_paper("Named"), "Named text.")
    hidden = make_summary(writer, make_paper("Voted on"), "Anonymous text.", anonymous=True)
    for _ in range(3):
        votes.cast(make_user(), hidden.pk, 1)
    votes.cast(make_user(), named.pk, 1)
    Vote.objects.update(updated_at=timezone.now() - timedelta(days=3))  # old enough to count
    assert rankings.reputation_of(writer.pk) == 1.0


def test_an_autosave_leaves_public_etags_alone_and_its_author_sees_the_draft_at_once(
    published, client_for
):
    pages = [published.get_absolute_url(), published.paper.get_absolute_url()]
    etags = [Client().get(url)["ETag"] for url in pages]
    author = client_for(published.author)
    author.get(pages[0])  # a signed-in copy of the page, too
    for text in ["Typing a better version", "Typing a better version, on"]:
        answer = author.post(
            f"/papers/{published.paper_id}/autosave/",
            {"markdown": text, "base_version": ""},
        )
        assert answer.status_code == 200
    assert [Client().get(url)["ETag"] for url in pages] == etags
    own = author.get(pages[0]).content.decode()
    assert "You have an unpublished draft" in own
    assert "You have an unpublished draft" not in Client().get(pages[0]).content.decode()
