"""Rate limits on writes (publishing, commenting, voting, uploads, lookups), per person and per
network (docs/moderation.md, "Limits that hold"; docs/decisions/0020-limits-that-hold.md).

Each limit is a sliding window: "count/seconds" in RATE_LIMITS admits a request when fewer than
`count` were admitted in the `seconds` before it, so no clock hour resets it, and a refused
request is not counted. Who is counted: a signed-in person by their account, and the network
they write from at RATE_LIMITS_SIGNED_IN_IP_FACTOR times the limit, so people behind one
address (a lab, a campus NAT) do not use up each other's limit while one address cannot run a
crowd of accounts; an anonymous request by its network alone, at the limit. A network is an
IPv4 address or an IPv6 /64.

The windows are counted atomically across every app process: in Redis by one Lua script, in
the file cache of `make run` under a file lock (shortscience/caching.py).

When the counter store fails (Redis down or hung, a full disk under the file cache), a check
never raises and never refuses everyone: it counts in this process's memory instead, so each
limit still holds per process (at most N times the limit across N processes) until the store
answers again, and the failure is logged (docs/decisions/0015-degraded-services.md).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from shortscience import caching
from shortscience.services import errors

logger = logging.getLogger(__name__)

# This process's counters while the shared store fails.
_local = LocMemCache("shortscience-ratelimits", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


class RateLimited(errors.RateLimited):
    """An `action` refused by its rate limit (its code in answers is RateLimited, as for every
    429)."""

    def __init__(self, action: str, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        wait = f"{retry_after} seconds" if retry_after < 120 else f"about {minutes} minutes"
        message = f"Too many {action.replace('_', ' ')} requests. Try again in {wait}."
        super().__init__(message, retry_after)


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds)


def check(action: str, *, ip: str, user_id: int | None = None) -> None:
    """Count one `action` by the person `user_id` (None: anonymous) from the address `ip`;
    raise RateLimited, counting it nowhere, when any of its windows is full."""
    rate = settings.RATE_LIMITS.get(action)
    if not rate or not settings.RATE_LIMITS_ENABLED:
        return
    limit, window = parse_rate(rate)
    limits = [(f"rl:{action}:{who}", n) for who, n in counted(limit, ip=ip, user_id=user_id)]
    wait = _hit(limits, window)
    if wait is not None:
        raise RateLimited(action, max(1, math.ceil(wait)))


def counted(limit: int, *, ip: str, user_id: int | None) -> list[tuple[str, int]]:
    """The windows one request is counted in, each with the most it admits."""
    if user_id is None:
        return [(f"ip:{network(ip)}", limit)]
    factor = settings.RATE_LIMITS_SIGNED_IN_IP_FACTOR
    return [(f"user:{user_id}", limit), (f"ip-signed-in:{network(ip)}", limit * factor)]


def network(ip: str) -> str:
    """An IPv6 address counts as its /64: one home or server holds all of one."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip or "unknown"
    if address.version == 6:
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def _hit(limits: list[tuple[str, int]], window: int) -> float | None:
    now = time.time()
    try:
        # The backend itself, not django.core.cache.cache: the window is chosen by its class.
        return caching.sliding_window(caches["default"], limits, window, now)
    except Exception as error:  # any backend's failure; a limit must decide, not raise
        logger.warning(
            "Rate-limit store failed (%s: %s); counting %s in this process",
            type(error).__name__,
            error,
            ", ".join(key for key, _ in limits),
        )
        return caching.sliding_window(_local, limits, window, now)
