"""robots.txt names the sitemap at SITE_URL and only paths the URL map serves; the favicon."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import resolve

from shortscience.views.robots import DISALLOWED


def test_robots_txt_points_at_the_sitemap_of_the_site_url(client, db, settings):
    settings.SITE_URL = "https://shortscience.example.org/"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Sitemap: https://shortscience.example.org/sitemap.xml" in lines
    for path in ("/accounts/", "/settings/", "/add/", "/papers/*/write/", "/search/?"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /search/" not in lines  # the search page itself stays open
    assert "Disallow: /moderation/log/" not in lines  # the public log stays open


# One page each rule keeps crawlers off; the test fails when a route moves and the rule does not.
EXAMPLES = {
    "/accounts/": "/accounts/login/",
    "/settings/": "/settings/tokens/",
    "/admin/": "/admin/",
    "/add/": "/add/",
    "/papers/*/write/": "/papers/1/write/",
    "/preview/": "/preview/",
    "/images/": "/images/",
    "/notifications/": "/notifications/",
    "/following/": "/following/",
    "/follow/": "/follow/paper/1/",
    "/flag/": "/flag/summary/1/",
    "/moderation/act/": "/moderation/act/",
    "/moderation/$": "/moderation/",
    "/s/": "/s/token/",
    "/random/": "/random/",
    "/search/?": "/search/",
    "/summaries/*/share/": "/summaries/1/share/",
    "/summaries/*/delete/": "/summaries/1/delete/",
    "/summaries/*/vote/": "/summaries/1/vote/",
    "/comments/": "/comments/1/edit/",
}


def test_every_disallowed_path_is_one_the_site_serves():
    assert set(DISALLOWED) == set(EXAMPLES)
    for example in EXAMPLES.values():
        resolve(example)  # raises Resolver404 when no route serves it


def test_the_favicon_is_an_icon_and_every_page_links_one(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    assert "max-age" in response["Cache-Control"]
    page = client.get("/about/").content.decode()
    assert '<link rel="icon" href="/static/shortscience/favicon.svg" type="image/svg+xml">' in page
    found = finders.find("shortscience/favicon.svg")
    assert isinstance(found, str)
    assert Path(found).read_text().startswith("<svg")
