"""The one shared outbound HTTP client for metadata sources.

`Fetcher` owns everything about talking to the outside: a descriptive User-Agent, per-request
timeouts, retries with exponential backoff and jitter (connect errors, timeouts, 429, 5xx,
honouring Retry-After up to a cap), a thread-safe per-host minimum interval between requests,
and caching of raw response bodies through an injected `BodyCache`. A caller in a hurry (the
add page) passes a deadline: no attempt, retry or rate-limit wait runs past it, and each
attempt's timeouts shrink to the time left. Time, sleeping and jitter
are injected so tests never wait, and the `httpx` transport is injected so tests never touch
the network (`httpx.MockTransport`).

Every failure surfaces as one exception type, `FetchError`; a body that arrived but does not
have the shape a parser expects raises its subclass `MalformedResponse`. Source modules take
any `FetchFn` (a `Fetcher` is one), so their fetch functions can be driven by a plain function.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Mapping
from importlib import metadata
from types import TracebackType
from typing import Protocol

import httpx

FetchFn = Callable[[str, dict[str, str]], bytes]
"""What source modules call: (url, query parameters) -> raw body, raising `FetchError`."""

DEFAULT_MIN_INTERVALS: dict[str, float] = {
    "export.arxiv.org": 3.0,
    "arxiv.org": 3.0,
    "api.crossref.org": 0.2,
    "dblp.org": 1.0,
    "api.semanticscholar.org": 1.0,
}
DEFAULT_INTERVAL = 0.5
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(Exception):
    """A request that finally failed: no usable body for `url` (status is None without one)."""

    def __init__(self, message: str, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.status = status

    def __str__(self) -> str:
        where = f" ({self.url})" if self.url else ""
        code = f" [HTTP {self.status}]" if self.status is not None else ""
        return f"{self.message}{code}{where}"


class TimedOut(FetchError):
    """No answer in time: a request's timeout, or a deadline that left no time to ask."""


class MalformedResponse(FetchError):
    """A body arrived but is not what the source documents (bad XML/JSON, wrong shape)."""


class BodyCache(Protocol):
    """Where raw bodies are kept: `get` answers (body, stored-at epoch seconds) or None."""

    def get(self, key: str) -> tuple[bytes, float] | None: ...

    def set(self, key: str, body: bytes) -> None: ...


class MemoryCache:
    """A dict-backed `BodyCache` for tests and single-process use."""

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._items: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, float] | None:
        with self._lock:
            return self._items.get(key)

    def set(self, key: str, body: bytes) -> None:
        with self._lock:
            self._items[key] = (body, self._now())

    def __len__(self) -> int:
        return len(self._items)


class HostRateLimiter:
    """Keeps a minimum interval between requests to one host, across threads.

    Each caller reserves the next free slot under the lock and sleeps outside it, so threads
    queue fairly and a slow sleeper never blocks callers bound for other hosts.
    """

    def __init__(
        self,
        intervals: Mapping[str, float],
        default: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self._intervals = dict(intervals)
        self._default = default
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def interval_for(self, host: str) -> float:
        return self._intervals.get(host.lower(), self._default)

    def wait(self, host: str, deadline: float | None = None) -> None:
        """Sleep until this host's next free slot; a slot past `deadline` (a clock time) is
        not taken: `FetchError` at once, so a caller with a deadline never queues past it."""
        host = host.lower()
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(host, now))
            if deadline is not None and slot >= deadline:
                raise TimedOut(f"no request slot for {host} before the deadline")
            self._next[host] = slot + self.interval_for(host)
        if slot > now:
            self._sleep(slot - now)


def package_version() -> str:
    try:
        return metadata.version("shortscience")
    except metadata.PackageNotFoundError:
        return "dev"


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), if readable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class Fetcher:
    """GETs raw bodies politely; see the module docstring. Use as a context manager or close()."""

    def __init__(
        self,
        contact: str,
        *,
        transport: httpx.BaseTransport | None = None,
        cache: BodyCache | None = None,
        max_age: float = 7 * 24 * 3600.0,
        min_intervals: Mapping[str, float] | None = None,
        default_interval: float = DEFAULT_INTERVAL,
        max_attempts: int = 3,
        backoff_base: float = 1.0,
        retry_after_cap: float = 30.0,
        host_headers: Mapping[str, Mapping[str, str]] | None = None,
        version: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.user_agent = (
            f"ShortScience/{version or package_version()} "
            f"(+https://github.com/shortscience; mailto:{contact})"
        )
        self._client = httpx.Client(
            transport=transport,
            headers={"User-Agent": self.user_agent},
            follow_redirects=True,
        )
        self._cache = cache
        self._max_age = max_age
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._retry_after_cap = retry_after_cap
        self._host_headers = {h.lower(): dict(v) for h, v in (host_headers or {}).items()}
        self._sleep = sleep
        self._now = now
        self._clock = clock
        self._jitter = jitter
        intervals = DEFAULT_MIN_INTERVALS if min_intervals is None else min_intervals
        self.limiter = HostRateLimiter(intervals, default_interval, clock, sleep)
        self.timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def __call__(self, url: str, params: dict[str, str]) -> bytes:
        return self.fetch(url, params)

    def within(self, seconds: float) -> FetchFn:
        """A `FetchFn` whose every call ends (answer, stale copy or `FetchError`) within
        `seconds` from now, shared by all the calls made through it."""
        deadline = self._clock() + seconds

        def fetch(url: str, params: dict[str, str]) -> bytes:
            return self.fetch(url, params, deadline=deadline)

        return fetch

    def fetch(
        self, url: str, params: Mapping[str, str] | None = None, *, deadline: float | None = None
    ) -> bytes:
        """The body of GET url?params: fresh cache, else the network, else stale cache.
        `deadline` (a time of the injected clock) bounds the network part."""
        request_url = httpx.URL(url, params=dict(params) if params else None)
        key = str(request_url)
        cached = self._cache.get(key) if self._cache is not None else None
        if cached is not None and self._now() - cached[1] < self._max_age:
            return cached[0]
        try:
            body = self._fetch_with_retries(request_url, deadline)
        except FetchError as error:
            transient = error.status is None or error.status in RETRY_STATUSES
            if cached is not None and transient:
                return cached[0]
            raise
        if self._cache is not None:
            self._cache.set(key, body)
        return body

    def _fetch_with_retries(self, url: httpx.URL, deadline: float | None = None) -> bytes:
        headers = self._host_headers.get(url.host.lower(), {})
        last: FetchError | None = None
        for attempt in range(1, self._max_attempts + 1):
            self.limiter.wait(url.host, deadline)
            retry_after: float | None = None
            try:
                timeout = self._timeout_before(deadline, str(url))
                response = self._client.get(url, headers=headers, timeout=timeout)
            except httpx.TimeoutException as exc:
                last = TimedOut(f"{type(exc).__name__}: {exc}", str(url))
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                last = FetchError(f"{type(exc).__name__}: {exc}", str(url))
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__}: {exc}", str(url)) from exc
            else:
                if response.is_success:
                    return response.content
                status = response.status_code
                last = FetchError(response.reason_phrase or "HTTP error", str(url), status)
                if status not in RETRY_STATUSES:
                    raise last
                retry_after = retry_after_seconds(response.headers.get("Retry-After"), self._now())
            if attempt < self._max_attempts:
                delay = self._delay(attempt, retry_after)
                if deadline is not None and self._clock() + delay >= deadline:
                    break  # no time for another attempt: report this one's failure
                self._sleep(delay)
        assert last is not None
        if attempt < self._max_attempts:
            raise last
        raise type(last)(
            f"gave up after {self._max_attempts} attempts: {last.message}", last.url, last.status
        )

    def _timeout_before(self, deadline: float | None, url: str) -> httpx.Timeout:
        """The usual timeouts, cut to the time left before `deadline`."""
        if deadline is None:
            return self.timeout
        left = deadline - self._clock()
        if left <= 0:
            raise TimedOut("no time left before the deadline", url)
        return httpx.Timeout(min(READ_TIMEOUT, left), connect=min(CONNECT_TIMEOUT, left))

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self._retry_after_cap)
        backoff = self._backoff_base * 2.0 ** (attempt - 1)
        return min(backoff + self._jitter() * self._backoff_base, self._retry_after_cap)
