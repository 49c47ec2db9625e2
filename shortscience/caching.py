"""The Redis cache backend used in production: Django's RedisCache that degrades instead of
raising when Redis is down, hung or flushed (docs/decisions/0015-degraded-services.md).

Every caller of the cache (sessions, allauth's rate limits, the page cache, our rate limits)
was written for a cache that can miss; none was written for one that raises. So while Redis
fails, this backend answers as a cache that misses: reads find nothing, writes are accepted and
dropped, `add` answers True (the miss answer: the key was absent, so allauth's rate-limit lock
lets a sign-in through instead of spinning and refusing it), and `set_many` returns the keys it
did not store, as its contract says (services/pagecache.py reads that to know a bump was lost).

Counters cannot be dropped without deciding something, so keys that start with one of
`LOCAL_FALLBACK_PREFIXES` (rate-limit counters and their locks, ours and allauth's) are kept in
a per-process memory cache while Redis fails: every limit still holds in each process (at most
N times the limit across N processes), and sign-in stays brute-force limited.

After a failure the backend does not touch Redis for `RETRY_SECONDS` (a circuit breaker shared
by the process's threads), so a hung Redis costs one socket timeout per process per window, not
one per cache call of every request. Each outage is logged once when it starts and once when
Redis answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: What a failing Redis raises: its own errors (ConnectionError, TimeoutError, BusyLoadingError,
#: ReadOnlyError, ...) and the socket's, should one escape the client.
FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError)


class _Breaker:
    """Whether Redis may be tried now; one per LOCATION, shared by the process's threads (Django
    makes one backend object per thread)."""

    def __init__(self) -> None:
        self.open_until = 0.0
        self.down_since: float | None = None
        self.lock = threading.Lock()

    def allows(self) -> bool:
        return time.monotonic() >= self.open_until

    def failed(self, location: str, error: BaseException, retry_seconds: float) -> None:
        with self.lock:
            self.open_until = time.monotonic() + retry_seconds
            first = self.down_since is None
            if first:
                self.down_since = time.monotonic()
        if first:
            logger.error(
                "Cache %s unavailable (%s: %s); serving misses, retrying every %s s",
                location,
                type(error).__name__,
                error,
                retry_seconds,
            )

    def succeeded(self, location: str) -> None:
        if self.down_since is None:
            return
        with self.lock:
            since, self.down_since = self.down_since, None
        if since is not None:
            logger.warning(
                "Cache %s answers again after %.1f s", location, time.monotonic() - since
            )


_breakers: dict[str, _Breaker] = {}
_fallbacks: dict[str, LocMemCache] = {}
_registry_lock = threading.Lock()


def _shared(location: str) -> tuple[_Breaker, LocMemCache]:
    with _registry_lock:
        if location not in _breakers:
            _breakers[location] = _Breaker()
            _fallbacks[location] = LocMemCache(f"shortscience-fallback-{location}", {})
        return _breakers[location], _fallbacks[location]


class ResilientRedisCache(RedisCache):
    """RedisCache that answers misses while Redis fails (see the module docstring).

    Extra keys in the CACHES entry, beside Django's: `RETRY_SECONDS` (default 5) and
    `LOCAL_FALLBACK_PREFIXES` (default: our and allauth's rate-limit keys).
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)
        self.retry_seconds = float(params.get("RETRY_SECONDS", 5))
        self.local_prefixes = tuple(params.get("LOCAL_FALLBACK_PREFIXES", ("rl:", "allauth:rl:")))
        self._breaker, self._local = _shared(self._location)

    @property
    def available(self) -> bool:
        """False while the breaker is open (Redis failed less than RETRY_SECONDS ago)."""
        return self._breaker.allows()

    def _try(self, call: Callable[[], T], degraded: Callable[[], T]) -> T:
        if not self._breaker.allows():
            return degraded()
        try:
            result = call()
        except FAILURES as error:
            self._breaker.failed(self._location, error, self.retry_seconds)
            return degraded()
        self._breaker.succeeded(self._location)
        return result

    def _local_or(self, key: str, fallback: Callable[[LocMemCache], T], miss: T) -> Callable[[], T]:
        if key.startswith(self.local_prefixes):
            return lambda: fallback(self._local)
        return lambda: miss

    # --- One key ---------------------------------------------------------------------------

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._try(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version),
            self._local_or(key, lambda local: local.add(key, value, timeout, version), True),
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._try(
            lambda: super(ResilientRedisCache, self).get(key, default, version),
            self._local_or(key, lambda local: local.get(key, default, version), default),
        )

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._try(
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version),
            self._local_or(key, lambda local: local.set(key, value, timeout, version), None),
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._try(
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version),
            self._local_or(key, lambda local: local.touch(key, timeout, version), False),
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._try(
            lambda: super(ResilientRedisCache, self).delete(key, version),
            self._local_or(key, lambda local: local.delete(key, version), False),
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._try(
            lambda: super(ResilientRedisCache, self).has_key(key, version),
            self._local_or(key, lambda local: local.has_key(key, version), False),
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")

        def local_incr(local: LocMemCache) -> int:
            return local.incr(key, delta, version)

        fallback = (
            (lambda: local_incr(self._local)) if key.startswith(self.local_prefixes) else missing
        )
        return self._try(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version), fallback
        )

    # --- Many keys (never used for counters: misses and dropped writes) --------------------

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        wanted = list(keys)
        return self._try(lambda: super(ResilientRedisCache, self).get_many(wanted, version), dict)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._try(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            lambda: list(data),
        )

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        wanted = list(keys)
        self._try(
            lambda: super(ResilientRedisCache, self).delete_many(wanted, version), lambda: None
        )

    def clear(self) -> None:
        self._local.clear()
        self._try(lambda: super(ResilientRedisCache, self).clear(), lambda: None)
