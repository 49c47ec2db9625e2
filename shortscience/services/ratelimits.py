"""Rate limits on writes (publishing, commenting, voting, uploads, lookups), per user and per IP.

Counters live in the cache, so with Redis (REDIS_URL) they hold across every app process. A
fixed window per (action, who) keeps it to one cache round trip per check. Limits come from the
RATE_LIMITS setting: {"action": "count/seconds"}.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from shortscience.services.errors import DomainError


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
        key = f"rl:{action}:{identity}:{window_start}"
        if cache.add(key, 1, timeout=window + 5):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=window + 5)
                count = 1
        if count > limit:
            raise RateLimited(action, window_start + window - now)
