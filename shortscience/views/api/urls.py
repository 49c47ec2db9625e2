"""The API's URLs, mounted at /api/v1/ by shortscience/urls.py; anything else under that prefix
is a JSON 404 rather than the site's HTML page."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, re_path

from shortscience.views.api.app import api
from shortscience.views.api.errors import unknown_path

app_name = api.urls_namespace

patterns, _, _ = api.urls
urlpatterns: list[URLPattern | URLResolver] = [
    *patterns,
    re_path(r"^.*$", unknown_path, name="unknown"),
]
