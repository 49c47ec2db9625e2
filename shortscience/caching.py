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

Two pieces serve counters that must hold across processes (services/ratelimits.py,
services/signins.py, docs/decisions/0020-limits-that-hold.md):

- `SharedFileBasedCache`, the file cache without Redis (`make run`): Django's file cache does
  `add` and `incr` as a read, then a write, so two processes that count at once both write the
  same number, and its `incr` writes the value back with the default timeout (300 s). This one
  does both under an exclusive lock on a file in the cache directory (fcntl.flock: every process
  on the machine, as the file cache itself), keeps an entry's expiry through `incr`, offers
  `update` for any read-modify-write, and keeps rate-limit entries in a folder of their own
  that culling never empties at random.
- `sliding_window`: a sliding-window limit in one Lua script on a Redis sorted set, atomic for
  every app process on every machine.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import logging
import os
import pickle
import random
import secrets
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
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


class _ReusingClient(RedisCacheClient):
    """Django's Redis client wrapper makes a new `redis.Redis` on every call (0.1-0.3 ms each,
    several per signed-in page); one per connection pool does the same work, and a
    `redis.Redis` is safe to share between threads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client: Any = self  # its pool helpers are private, so the stubs do not name them
        index = django_client._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = django_client._client(
                connection_pool=django_client._get_connection_pool(write)
            )
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache that answers misses while Redis fails (see the module docstring).

    Extra keys in the CACHES entry, beside Django's: `RETRY_SECONDS` (default 5) and
    `LOCAL_FALLBACK_PREFIXES` (default: our and allauth's rate-limit keys).
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient
        self._location = server if isinstance(server, str) else ",".join(server)
        self.retry_seconds = float(params.get("RETRY_SECONDS", 5))
        self.local_prefixes = tuple(params.get("LOCAL_FALLBACK_PREFIXES", ("rl:", "allauth:rl:")))
        self._breaker, self._local = _shared(self._location)

    def validate_key(self, key: str) -> None:
        """Redis takes any key: memcached's per-character checks (0.05 ms a key) are for
        memcached."""

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

    def sliding_window(
        self, limits: list[tuple[str, int]], window: int, now: float
    ) -> float | None:
        """`caching.sliding_window` in Redis; while Redis fails, in this process's memory."""

        def local() -> float | None:
            return sliding_window(self._local, limits, window, now)

        return self._try(lambda: _redis_window(self, limits, window, now), local)

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


# --- Counters that hold across processes ----------------------------------------------------

#: Keys of counters: kept apart from culling by SharedFileBasedCache, and in process memory by
#: ResilientRedisCache while Redis is down (rate limits only: "vw:", the page-view log and its
#: once-a-day marks in services/pageviews.py, is lost with Redis rather than kept per process).
COUNTER_PREFIXES = ("rl:", "allauth:rl:", "vw:")

# Sliding windows over sorted sets of hit times: drop the hits older than the window from each,
# then count this hit in all of them if every one holds fewer than its limit. Atomic in Redis.
# Returns "" when counted, else the seconds until every full window has a place.
_SLIDING_WINDOW_LUA = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local wait = nil
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[3 + i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local seconds = window
    if limit > 0 then
      local freeing = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
      seconds = tonumber(freeing[2]) + window - now
    end
    if wait == nil or seconds > wait then wait = seconds end
  end
end
if wait ~= nil then return tostring(wait) end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, math.ceil(window * 1000) + 1000)
end
return ''
"""

# Read-modify-write of stores that cannot lock across processes (this process's memory).
_process_lock = threading.Lock()


def sliding_window(
    store: Any, limits: list[tuple[str, int]], window: int, now: float
) -> float | None:
    """Count one hit at `now` in the window of each (key, limit) of `limits` if each holds fewer
    than its limit of hits in the `window` seconds before: None when counted, else the seconds
    until all have a place (a refused hit is counted nowhere). Atomic across processes with
    Redis and SharedFileBasedCache; with any other store, within this process only."""
    if isinstance(store, ResilientRedisCache):
        return store.sliding_window(limits, window, now)
    if isinstance(store, RedisCache):
        return _redis_window(store, limits, window, now)
    lock = store.locked() if isinstance(store, SharedFileBasedCache) else _process_lock
    with lock:
        kept = {key: _recent(store.get(key), window, now) for key, _ in limits}
        waits = [
            (float(window) if limit <= 0 else kept[key][-limit] + window - now)
            for key, limit in limits
            if len(kept[key]) >= limit
        ]
        if waits:
            return max(waits)
        for key, _ in limits:
            store.set(key, [*kept[key], now], timeout=window + 1)
    return None


def _recent(value: Any, window: int, now: float) -> list[float]:
    return [hit for hit in value or [] if hit > now - window]


def _redis_window(
    store: RedisCache, limits: list[tuple[str, int]], window: int, now: float
) -> float | None:
    keys = [store.make_and_validate_key(key) for key, _ in limits]
    backend: Any = store  # the client wrapper is private, so the stubs do not name it
    client = backend._cache.get_client(keys[0], write=True)
    member = f"{now:.6f}:{secrets.token_hex(4)}"  # two hits in one microsecond stay two
    counts = [limit for _, limit in limits]
    answer = client.eval(_SLIDING_WINDOW_LUA, len(keys), *keys, repr(now), window, member, *counts)
    text = answer.decode() if isinstance(answer, bytes) else str(answer)
    return float(text) if text else None


class SharedFileBasedCache(FileBasedCache):
    """Django's file cache with counting that holds across processes (see the module docstring).

    Only the counting calls (`add`, `incr`, `decr`, `touch`) take the lock, and whoever reads,
    changes and writes counters inside `locked()` (`sliding_window`): pages and sessions are
    written whole, where the last writer winning is right.
    """

    counters_folder = "counters"
    sweep_chance = 0.001  # of a counter write: delete the expired counters of every key

    @contextmanager
    def locked(self) -> Iterator[None]:
        self._createdir()
        with open(os.path.join(self._dir, ".lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            yield

    # Django's private helpers, which the type stubs leave out.
    _dir: str
    _createdir: Callable[[], None]
    _delete: Callable[[str], bool]
    _is_expired: Callable[[Any], bool]
    _write_content: Callable[[Any, Any, Any], None]

    def _key_to_file(self, key: str, version: int | None = None) -> str:
        """Django's file name for `key`, in the counters folder when it is a counter's."""
        made = self.make_and_validate_key(key, version=version)
        name = hashlib.md5(made.encode(), usedforsecurity=False).hexdigest() + self.cache_suffix
        counter = key.startswith(COUNTER_PREFIXES)
        return (
            os.path.join(self._dir, self.counters_folder, name)
            if counter
            else os.path.join(self._dir, name)
        )

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        if not key.startswith(COUNTER_PREFIXES):
            super().set(key, value, timeout, version)
            return
        # Django's set, less its cull: a cull lists the whole folder, under the counters' lock.
        folder = os.path.join(self._dir, self.counters_folder)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if random.random() < self.sweep_chance:  # noqa: S311 -- a sampling chance, not a secret
            self._sweep_counters()
        fd, temporary = tempfile.mkstemp(dir=folder)
        try:
            with open(fd, "wb") as f:
                self._write_content(f, timeout, value)
            os.replace(temporary, self._key_to_file(key, version))
        except BaseException:
            os.remove(temporary)
            raise

    def clear(self) -> None:
        super().clear()
        for name in glob.glob(
            os.path.join(self._dir, self.counters_folder, "*" + self.cache_suffix)
        ):
            self._delete(name)

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        with self.locked():
            return super().add(key, value, timeout, version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        with self.locked():
            return super().touch(key, timeout, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        with self.locked():
            found, expiry = self._read(key, version)
            if found is None:
                raise ValueError(f"Key '{key}' not found")
            value = int(found) + delta
            self._write(key, value, expiry, version)
            return value

    def decr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        return self.incr(key, -delta, version)

    def _read(self, key: str, version: int | None) -> tuple[Any, float | None]:
        """The value of `key` (None when absent or expired) and the time it expires."""
        try:
            with open(self._key_to_file(key, version), "rb") as f:
                expiry = pickle.load(f)  # noqa: S301 -- our own cache files, as Django reads them
                if expiry is not None and expiry < time.time():
                    return None, None
                return pickle.loads(zlib.decompress(f.read())), expiry  # noqa: S301 -- as above
        except FileNotFoundError:
            return None, None

    def _write(self, key: str, value: Any, expiry: float | None, version: int | None) -> None:
        # Django's incr writes back with the default timeout: an hour's window would end at 300 s.
        timeout = None if expiry is None else max(expiry - time.time(), 0.001)
        self.set(key, value, timeout, version)

    def _sweep_counters(self) -> None:
        for name in glob.glob(
            os.path.join(self._dir, self.counters_folder, "*" + self.cache_suffix)
        ):
            try:
                with open(name, "rb") as f:
                    expired = self._is_expired(f)
            except (FileNotFoundError, EOFError, pickle.UnpicklingError):
                continue
            if expired:
                self._delete(name)
