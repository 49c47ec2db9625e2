"""services/links.py: the one place a path becomes an absolute URL."""

from __future__ import annotations

from shortscience.services.links import absolute_url, site_base


def test_paths_join_the_site_url_without_a_double_slash(settings):
    settings.SITE_URL = "https://shortscience.example.org/"
    assert site_base() == "https://shortscience.example.org"
    assert absolute_url("/papers/1/") == "https://shortscience.example.org/papers/1/"


def test_a_request_base_can_stand_in_for_the_site_url(settings):
    settings.SITE_URL = "https://shortscience.example.org"
    assert (
        absolute_url("/api/v1/", base="http://127.0.0.1:8000/") == "http://127.0.0.1:8000/api/v1/"
    )
