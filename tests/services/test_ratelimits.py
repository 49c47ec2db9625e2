"""When the counter store fails, rate limits count in the process instead: a write is never
answered 500 for it, never refused for it, and the limit still holds in each process."""

from __future__ import annotations

import errno
import logging
from typing import Any

import pytest
from django.core.cache import cache

from shortscience.models import Comment
from shortscience.services import ratelimits
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


class BrokenStore:
    """A counter store whose every call fails, as the file cache does on a full disk."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise OSError(errno.ENOSPC, "No space left on device")

        return fail


@pytest.fixture(autouse=True)
def _fresh_local_counters() -> None:
    ratelimits._local.clear()


def test_a_failing_store_is_logged_and_the_limit_holds_in_the_process(
    monkeypatch, settings, caplog
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "voting": "2/60"}
    monkeypatch.setattr(ratelimits, "cache", BrokenStore())
    with caplog.at_level(logging.WARNING, logger="shortscience.services.ratelimits"):
        ratelimits.check("voting", "user:1")
        ratelimits.check("voting", "user:1")
        with pytest.raises(ratelimits.RateLimited):
            ratelimits.check("voting", "user:1")
    assert "Rate-limit store failed (OSError" in caplog.text
    ratelimits.check("voting", "user:2")  # others are counted on their own


def test_with_the_store_back_counting_returns_to_it(monkeypatch, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "voting": "1/60"}
    with monkeypatch.context() as patched:
        patched.setattr(ratelimits, "cache", BrokenStore())
        ratelimits.check("voting", "user:1")
    ratelimits.check("voting", "user:1")  # the shared store had not seen the first
    with pytest.raises(ratelimits.RateLimited):
        ratelimits.check("voting", "user:1")


@pytest.mark.parametrize(
    "backend",
    ["django.core.cache.backends.redis.RedisCache", "shortscience.caching.ResilientRedisCache"],
)
def test_comments_are_limited_not_failed_while_redis_is_down(backend, settings, client_for):
    # Port 1: the connection is refused at once, as with a stopped Redis.
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:1/6"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.PAGE_CACHE_ENABLED = False  # the page cache's own degradation is tested elsewhere
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "commenting": "2/3600"}
    if backend.endswith("ResilientRedisCache"):
        cache.clear()
    summary = make_summary()
    client = client_for(make_user())
    url = f"/summaries/{summary.pk}/comments/"
    assert client.post(url, {"markdown": "one"}).status_code == 302
    assert client.post(url, {"markdown": "two"}).status_code == 302
    refused = client.post(url, {"markdown": "three"})
    assert refused.status_code == 429 and "Retry-After" in refused
    assert Comment.objects.count() == 2
