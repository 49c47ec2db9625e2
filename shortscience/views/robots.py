"""`/robots.txt` and `/favicon.ico`: the two files every crawler and browser asks the root for.

robots.txt points crawlers at the sitemap index (at `SITE_URL`) and keeps them off pages that
are personal, that write, or that only multiply what the sitemap already lists: the account and
settings pages (API tokens among them), the editor and preview, notifications and follows, the
moderation queue (its public log stays open), private share links, `/random/`, and search
results for a query (the empty search page stays). tests/views/test_robots.py checks that every
path named here is one the URL map serves, so the list follows urls.py.
"""

from __future__ import annotations

import functools

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from shortscience.services.links import absolute_url

DISALLOWED = (
    "/accounts/",
    "/settings/",
    "/admin/",
    "/add/",
    "/papers/*/write/",
    "/preview/",
    "/images/",
    "/notifications/",
    "/following/",
    "/follow/",
    "/flag/",
    "/moderation/act/",
    "/moderation/$",
    "/s/",
    "/random/",
    "/search/?",
    "/summaries/*/share/",
    "/summaries/*/delete/",
    "/summaries/*/vote/",
    "/comments/",
)
_DAY = 24 * 3600


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED)]
    lines += ["", f"Sitemap: {absolute_url(reverse('sitemap'))}", ""]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={_DAY}"
    return response


@functools.cache
def _favicon() -> bytes:
    found = finders.find("shortscience/favicon.ico")
    if not isinstance(found, str):
        raise FileNotFoundError("shortscience/static/shortscience/favicon.ico")
    with open(found, "rb") as icon:
        return icon.read()


def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_favicon(), content_type="image/x-icon")
    response["Cache-Control"] = f"public, max-age={7 * _DAY}"
    return response
