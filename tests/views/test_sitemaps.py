"""The sitemap index at /sitemap.xml and its paged sections: public content only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from shortscience.models import Summary
from shortscience.views import sitemaps
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)  # noqa: S314 -- our own response, in a test
    return [(loc.text or "").removeprefix("http://example.com") for loc in root.iter(f"{SM}loc")]


def test_the_sitemap_is_an_index_of_its_sections(client):
    make_summary()
    assert locations(client, "/sitemap.xml") == [
        "/sitemap-papers.xml",
        "/sitemap-summaries.xml",
        "/sitemap-users.xml",
    ]


def test_the_index_gives_each_section_its_newest_change(client):
    make_summary()
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 -- our own response
    dated = {
        s.findtext(f"{SM}loc", "").rsplit("/", 1)[1]: s.findtext(f"{SM}lastmod")
        for s in root.iter(f"{SM}sitemap")
    }
    assert dated["sitemap-papers.xml"] and dated["sitemap-summaries.xml"]


def test_a_section_past_its_limit_is_paged_and_the_index_lists_every_page(client, monkeypatch):
    monkeypatch.setattr(sitemaps.SummarySitemap, "limit", 2)
    made = [make_summary() for _ in range(5)]
    index = locations(client, "/sitemap.xml")
    assert [u for u in index if u.startswith("/sitemap-summaries")] == [
        "/sitemap-summaries.xml",
        "/sitemap-summaries.xml?p=2",
        "/sitemap-summaries.xml?p=3",
    ]
    pages = [locations(client, f"/sitemap-summaries.xml?p={p}") for p in (1, 2, 3)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [url for page in pages for url in page] == [f"/summaries/{s.pk}/" for s in made]
    assert client.get("/sitemap-summaries.xml?p=4").status_code == 404


def test_the_sections_list_only_public_content_and_no_anonymous_author(client):
    public = make_summary(author=make_user("named"))
    private = make_summary(private=True)
    draft = make_summary(publish=False)
    hidden = make_summary()
    Summary.objects.filter(pk=hidden.pk).update(is_hidden=True)
    anonymous = make_summary(author=make_user("masked"), anonymous=True)
    urls = [
        u
        for section in ("papers", "summaries", "users")
        for u in locations(client, f"/sitemap-{section}.xml")
    ]
    assert f"/summaries/{public.pk}/" in urls and f"/summaries/{anonymous.pk}/" in urls
    assert f"/papers/{public.paper_id}/" in urls and "/users/named/" in urls
    for unlisted in (private, draft, hidden):
        assert f"/summaries/{unlisted.pk}/" not in urls
        assert f"/papers/{unlisted.paper_id}/" not in urls
    assert "/users/masked/" not in urls


def test_an_unknown_section_is_404(client):
    assert client.get("/sitemap-secrets.xml").status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_the_index_and_sections_cost_the_same_few_queries_with_3_or_30_items(
    client, django_assert_max_num_queries, count
):
    paper = make_paper()
    for _ in range(count):
        make_summary(paper=paper)
    client.get("/sitemap.xml")  # the Site row is cached after its first lookup
    for url in ["/sitemap.xml", *[f"/sitemap-{s}.xml" for s in ("papers", "summaries", "users")]]:
        with django_assert_max_num_queries(7):
            assert client.get(url).status_code == 200
