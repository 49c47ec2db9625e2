"""View counts through HTTP: the beacon in cached pages, what it counts and refuses, the counts
on the summary page and the home page's Popular tab."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from shortscience.models import Paper, Summary
from shortscience.services import pageviews
from tests.factories import make_paper, make_summary

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"


def beacon_of(html: str) -> str:
    found = re.search(r'<script src="[^"]*pageviews\.js" data-beacon="([^"]+)" defer>', html)
    assert found, "no view beacon in the page"
    return found.group(1)


def test_paper_and_summary_pages_carry_a_beacon_and_stay_one_cached_page_for_everyone(
    django_assert_num_queries,
):
    summary = make_summary()
    paper_beacon = reverse("view-beacon", args=["paper", summary.paper_id])
    for url, beacon in [
        (summary.paper.get_absolute_url(), paper_beacon),
        (summary.get_absolute_url(), reverse("view-beacon", args=["summary", summary.pk])),
    ]:
        first = Client(HTTP_USER_AGENT=BROWSER).get(url)
        with django_assert_num_queries(0):
            second = Client(HTTP_USER_AGENT="another browser", REMOTE_ADDR="192.0.2.9").get(url)
        assert second.content == first.content
        assert beacon_of(first.content.decode()) == beacon
        assert "Set-Cookie" not in second.headers and not second.cookies


def test_the_beacon_counts_a_view_without_csrf_session_cookie_or_query(
    django_assert_num_queries,
):
    summary = make_summary()
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER)
    url = reverse("view-beacon", args=["summary", summary.pk])
    with django_assert_num_queries(0):
        for _ in range(5):
            response = client.post(url)
            assert response.status_code == 204
            assert response.content == b""
            assert not response.cookies
    assert response["Cache-Control"].startswith("max-age=0")
    assert pageviews.pending() == 1  # the same visitor, five times: one view
    assert Summary.objects.get(pk=summary.pk).view_count == 0  # until the flush
    pageviews.flush()
    assert Summary.objects.get(pk=summary.pk).view_count == 1


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("get", {"HTTP_USER_AGENT": BROWSER}),
        ("head", {"HTTP_USER_AGENT": BROWSER}),
        ("post", {}),
        ("post", {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; YandexBot/3.0)"}),
        ("post", {"HTTP_USER_AGENT": BROWSER, "HTTP_SEC_PURPOSE": "prefetch;prerender"}),
        ("post", {"HTTP_USER_AGENT": BROWSER, "HTTP_PURPOSE": "prefetch"}),
        ("post", {"HTTP_USER_AGENT": BROWSER, "HTTP_X_MOZ": "prefetch"}),
    ],
)
def test_bots_prefetches_and_other_methods_are_not_counted(method, headers):
    summary = make_summary()
    response = getattr(Client(**headers), method)(
        reverse("view-beacon", args=["summary", summary.pk])
    )
    assert response.status_code in (204, 405)
    assert pageviews.pending() == 0


def test_a_private_summary_or_its_share_link_sends_no_beacon(client_for):
    summary = make_summary(private=True)
    own = client_for(summary.author).get(summary.get_absolute_url()).content.decode()
    assert "pageviews.js" not in own


def test_the_summary_page_shows_its_views_rounded():
    summary = make_summary()
    Summary.objects.filter(pk=summary.pk).update(view_count=1234)
    Paper.objects.filter(pk=summary.paper_id).update(view_count=57)
    html = Client().get(summary.get_absolute_url()).content.decode()
    assert "1.2k views" in html
    paper_page = Client().get(summary.paper.get_absolute_url()).content.decode()
    assert "1.2k views" in paper_page
    assert "this page read 57 times" in paper_page


def test_the_home_page_has_a_popular_tab_ordered_by_the_last_30_days(
    django_assert_max_num_queries,
):
    quiet, read = make_summary(markdown="Quiet summary"), make_summary(markdown="Read summary")
    Summary.objects.filter(pk=read.pk).update(recent_views=42, view_count=50)
    Summary.objects.filter(pk=quiet.pk).update(recent_views=2, view_count=900)
    home = Client().get(reverse("home")).content.decode()
    assert ">Popular</a>" in home
    Client().get(reverse("home"), {"tab": "viewed"})  # fills the card memo and the cache
    with django_assert_max_num_queries(2):  # a count and the page, like every tab
        html = Client(HTTP_ACCEPT_LANGUAGE="x").get(reverse("home"), {"tab": "viewed", "x": "1"})
    text = html.content.decode()
    assert text.index("Read summary") < text.index("Quiet summary")
    assert "42 views in 30 days" in text
    assert "900 views" not in text  # list pages show only the number they are ordered by


def test_flushing_views_changes_a_cached_page_only_when_its_number_changes():
    paper = make_paper()
    summary = make_summary(paper=paper)
    url = summary.get_absolute_url()
    first = Client().get(url).content
    for n in range(3):
        Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"192.0.2.{n}").post(
            reverse("view-beacon", args=["summary", summary.pk])
        )
    pageviews.flush()
    assert "3 views" in Client().get(url).content.decode()
    Summary.objects.filter(pk=summary.pk).update(view_count=150)
    cached = Client().get(url).content
    Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.99").post(
        reverse("view-beacon", args=["summary", summary.pk])
    )
    pageviews.flush()  # 151: still "150+", the page stays cached (the stale "3 views")
    assert Client().get(url).content == cached != first
