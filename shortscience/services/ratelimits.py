"""Rate limits on writes (publishing, commenting, voting, uploads, lookups), per user and per IP.

Counters live in the cache, so with Redis (REDIS_URL) they hold across every app process. A
fixed window per (action, who) keeps it to one cache round trip per check. Limits come from the
RATE_LIMITS setting: {"action": "count/seconds"}.

When the counter store fails (Redis down or hung, a full disk under the file cache), a check
never raises and never refuses everyone: it counts in this process's memory instead, so each
limit still holds per process (at most N times the limit across N processes) until the store
answers again, and the failure is logged (docs/decisions/0015-degraded-services.md). With Redis,
shortscience/caching.py makes the same choice inside the cache backend, for allauth's sign-in
limits too.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

from shortscience.services.errors import DomainError

logger = logging.getLogger(__name__)

# This process's counters while the shared store fails.
_local = LocMemCache("shortscience-ratelimits", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


class RateLimited(DomainError):
    status = 429

    def __init__(self, action: str, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        wait = f"{retry_after} seconds" if retry_after < 120 else f"about {minutes} minutes"
        super().__init__(f"Too many {action.replace('_', ' ')} requests. Try again in {wait}.")
        self.retry_after = retry_after


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds)


def check(action: str, *who: str) -> None:
    """Count one `action` for each identity in `who` (e.g. "user:7", "ip:1.2.3.4"); raise
    RateLimited when any of them is over its limit for the current window."""
    rate = settings.RATE_LIMITS.get(action)
    if not rate or not settings.RATE_LIMITS_ENABLED:
        return
    limit, window = parse_rate(rate)
    now = int(time.time())
    window_start = now - now % window
    for identity in who:
        count = _count(f"rl:{action}:{identity}:{window_start}", window + 5)
        if count > limit:
            raise RateLimited(action, window_start + window - now)


def _count(key: str, timeout: int) -> int:
    try:
        return _count_in(cache, key, timeout)
    except Exception as error:  # any backend's failure; a limit must decide, not raise
        logger.warning(
            "Rate-limit store failed (%s: %s); counting %s in this process",
            type(error).__name__,
            error,
            key,
        )
        return _count_in(_local, key, timeout)


def _count_in(store: BaseCache, key: str, timeout: int) -> int:
    """One more for `key`, in at most two round trips. incr comes first, so a store that
    cannot answer fails here instead of claiming a first hit with `add`."""
    try:
        return store.incr(key)
    except ValueError:  # the window's first hit (or it expired a moment ago)
        pass
    if store.add(key, 1, timeout=timeout):
        return 1
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.add(key, 1, timeout=timeout)
        return 1
