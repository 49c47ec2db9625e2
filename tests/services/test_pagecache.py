"""A page-cache bump that cannot reach the cache never fails the write, and never leaves a stale
page once the cache is back."""

from __future__ import annotations

import errno
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.test import Client

from shortscience.services import pagecache
from tests.factories import make_summary, make_user
from tests.test_caching import DEAD, LIVE, needs_redis, redis_config

pytestmark = pytest.mark.django_db


class Flaky:
    """The real cache, or, while `down`, a store whose every call fails (a full disk under the
    file cache, or a Redis client without our degrading backend)."""

    def __init__(self) -> None:
        self.down = False

    def __getattr__(self, name: str) -> Any:
        if self.down:

            def fail(*args: Any, **kwargs: Any) -> Any:
                raise OSError(errno.ENOSPC, "No space left on device")

            return fail
        return getattr(caches["default"], name)


@pytest.fixture(autouse=True)
def _no_lost_bump() -> None:
    pagecache._lost_bump.clear()


def test_a_comment_posted_while_the_cache_fails_is_saved_and_shows_once_it_is_back(
    monkeypatch, client_for
):
    summary = make_summary()
    url = f"/summaries/{summary.pk}/"
    assert "Written while the cache failed" not in Client().get(url).content.decode()
    flaky = Flaky()
    monkeypatch.setattr(pagecache, "_cache", lambda: flaky)
    flaky.down = True
    response = client_for(make_user()).post(
        f"{url}comments/", {"markdown": "Written while the cache failed"}
    )
    assert response.status_code == 302
    flaky.down = False
    assert "Written while the cache failed" in Client().get(url).content.decode()
    assert not pagecache._lost_bump.is_set()


def test_a_lost_bump_is_remembered_until_the_cache_takes_one(monkeypatch):
    flaky = Flaky()
    monkeypatch.setattr(pagecache, "_cache", lambda: flaky)
    flaky.down = True
    pagecache.touch(pagecache.paper(1))
    assert pagecache._lost_bump.is_set()
    pagecache.touch(pagecache.paper(2))  # still down: still remembered
    assert pagecache._lost_bump.is_set()
    flaky.down = False
    site_before = pagecache.versions([pagecache.SITE])
    assert not pagecache._lost_bump.is_set()
    pagecache.touch(pagecache.paper(3))
    assert pagecache.versions([pagecache.SITE]) == site_before


@needs_redis
def test_through_a_redis_outage_the_page_cache_serves_fresh_pages_and_none_stale_after(
    settings, client_for
):
    settings.CACHES = redis_config(LIVE)
    cache.clear()
    summary = make_summary()
    url = f"/summaries/{summary.pk}/"
    Client().get(url)
    settings.CACHES = redis_config(DEAD)
    writer = client_for(make_user())
    assert writer.post(f"{url}comments/", {"markdown": "Said during the outage"}).status_code == 302
    assert "Said during the outage" in Client().get(url).content.decode()
    settings.CACHES = redis_config(LIVE)
    assert "Said during the outage" in Client().get(url).content.decode()
    cache.clear()
