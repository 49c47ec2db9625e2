"""The shared Fetcher, driven through httpx.MockTransport and a fake clock: no network, no sleep."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from shortscience.metadata.http import (
    Fetcher,
    FetchError,
    MemoryCache,
    retry_after_seconds,
)


class FakeTime:
    """One fake timeline for the monotonic clock, the wall clock and sleep."""

    def __init__(self, start: float = 1_000_000.0, *, advance: bool = True) -> None:
        self.t = start
        self.advance = advance
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            if self.advance:
                self.t += seconds


Handler = Callable[[httpx.Request], httpx.Response]


def make_fetcher(handler: Handler, fake: FakeTime, **kwargs: Any) -> Fetcher:
    return Fetcher(
        "team@example.org",
        transport=httpx.MockTransport(handler),
        sleep=fake.sleep,
        clock=fake.clock,
        now=fake.clock,
        jitter=lambda: 0.5,
        version="1.2.3",
        **kwargs,
    )


def scripted(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def test_a_successful_get_returns_the_body_and_sends_a_descriptive_user_agent():
    handler, seen = scripted(httpx.Response(200, content=b"<feed/>"))
    with make_fetcher(handler, FakeTime()) as fetcher:
        body = fetcher.fetch("https://export.arxiv.org/api/query", {"id_list": "1706.03762"})
    assert body == b"<feed/>"
    assert str(seen[0].url) == "https://export.arxiv.org/api/query?id_list=1706.03762"
    assert seen[0].headers["User-Agent"] == (
        "ShortScience/1.2.3 (+https://github.com/shortscience; mailto:team@example.org)"
    )


def test_requests_carry_a_five_second_connect_and_fifteen_second_read_timeout():
    handler, seen = scripted(httpx.Response(200, content=b"ok"))
    make_fetcher(handler, FakeTime()).fetch("https://dblp.org/x")
    timeout = seen[0].extensions["timeout"]
    assert timeout["connect"] == 5.0
    assert timeout["read"] == 15.0


def test_a_fetcher_is_itself_a_fetch_function():
    handler, _ = scripted(httpx.Response(200, content=b"ok"))
    fetcher = make_fetcher(handler, FakeTime())
    assert fetcher("https://dblp.org/x", {}) == b"ok"


def test_server_errors_are_retried_with_exponential_backoff_and_jitter():
    fake = FakeTime()
    handler, seen = scripted(
        httpx.Response(503), httpx.Response(502), httpx.Response(200, content=b"finally")
    )
    fetcher = make_fetcher(handler, fake, min_intervals={}, default_interval=0.0)
    assert fetcher.fetch("https://api.crossref.org/works/10.1/x") == b"finally"
    assert len(seen) == 3
    assert fake.sleeps == [1.5, 2.5]  # base 1 s * 2^(n-1) + jitter 0.5 * base


def test_connect_errors_and_timeouts_are_retried():
    fake = FakeTime()
    handler, seen = scripted(
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.Response(200, content=b"ok"),
    )
    fetcher = make_fetcher(handler, fake, min_intervals={}, default_interval=0.0)
    assert fetcher.fetch("https://dblp.org/rec/conf/iccv/Girshick15.xml") == b"ok"
    assert len(seen) == 3


def test_retry_after_is_honoured_up_to_the_cap():
    fake = FakeTime()
    handler, _ = scripted(
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(429, headers={"Retry-After": "3600"}),
        httpx.Response(200, content=b"ok"),
    )
    fetcher = make_fetcher(
        handler, fake, min_intervals={}, default_interval=0.0, retry_after_cap=20.0
    )
    assert fetcher.fetch("https://api.semanticscholar.org/graph/v1/paper/x") == b"ok"
    assert fake.sleeps == [7.0, 20.0]


def test_retry_after_reads_delta_seconds_and_http_dates():
    assert retry_after_seconds("12", now=0.0) == 12.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon", now=0.0) is None
    assert retry_after_seconds(None, now=0.0) is None


def test_a_persistent_429_finally_raises_fetch_error_with_status_429():
    handler, seen = scripted(*(httpx.Response(429) for _ in range(3)))
    fetcher = make_fetcher(handler, FakeTime())
    with pytest.raises(FetchError) as caught:
        fetcher.fetch("https://api.semanticscholar.org/graph/v1/paper/arXiv:1706.03762")
    assert caught.value.status == 429
    assert caught.value.url.startswith("https://api.semanticscholar.org/")
    assert "3 attempts" in str(caught.value)
    assert len(seen) == 3


def test_a_404_is_not_retried_and_raises_at_once():
    handler, seen = scripted(httpx.Response(404, text="Resource not found."))
    fetcher = make_fetcher(handler, FakeTime())
    with pytest.raises(FetchError) as caught:
        fetcher.fetch("https://api.crossref.org/works/10.5555/nothing")
    assert caught.value.status == 404
    assert len(seen) == 1


def test_network_failure_on_every_attempt_raises_fetch_error_without_status():
    handler, _ = scripted(*(httpx.ConnectError("down") for _ in range(2)))
    fetcher = make_fetcher(handler, FakeTime(), max_attempts=2)
    with pytest.raises(FetchError) as caught:
        fetcher.fetch("https://dblp.org/search/publ/api")
    assert caught.value.status is None
    assert "ConnectError" in caught.value.message


def test_requests_to_one_host_keep_the_minimum_interval():
    fake = FakeTime()
    handler, _ = scripted(*(httpx.Response(200, content=b"ok") for _ in range(3)))
    fetcher = make_fetcher(handler, fake)
    for n in range(3):
        fetcher.fetch("https://export.arxiv.org/api/query", {"id_list": str(n)})
    assert fake.sleeps == [3.0, 3.0]


def test_different_hosts_do_not_wait_for_each_other():
    fake = FakeTime()
    handler, _ = scripted(*(httpx.Response(200, content=b"ok") for _ in range(2)))
    fetcher = make_fetcher(handler, fake)
    fetcher.fetch("https://export.arxiv.org/api/query")
    fetcher.fetch("https://dblp.org/search/publ/api")
    assert fake.sleeps == []


def test_intervals_are_configurable_and_unknown_hosts_use_the_default():
    fetcher = make_fetcher(scripted()[0], FakeTime(), min_intervals={"example.org": 9.0})
    assert fetcher.limiter.interval_for("example.org") == 9.0
    assert fetcher.limiter.interval_for("openreview.net") == 0.5


def test_the_rate_limiter_spaces_out_concurrent_threads():
    fake = FakeTime(advance=False)  # time stands still, so every thread starts at one instant
    fetcher = make_fetcher(lambda r: httpx.Response(200, content=b"ok"), fake)
    threads = [
        threading.Thread(target=fetcher.fetch, args=("https://dblp.org/x", {"n": str(n)}))
        for n in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each thread reserved its own slot, one interval (1 s for dblp.org) after the previous.
    assert sorted(fake.sleeps) == [1.0, 2.0, 3.0, 4.0]


def test_a_fresh_cached_body_is_returned_without_a_request():
    fake = FakeTime()
    cache = MemoryCache(now=fake.clock)
    handler, seen = scripted(httpx.Response(200, content=b"first"))
    fetcher = make_fetcher(handler, fake, cache=cache, max_age=3600.0)
    assert fetcher.fetch("https://dblp.org/rec/x.xml") == b"first"
    fake.t += 100
    assert fetcher.fetch("https://dblp.org/rec/x.xml") == b"first"
    assert len(seen) == 1


def test_an_old_cached_body_is_refreshed():
    fake = FakeTime()
    cache = MemoryCache(now=fake.clock)
    cache.set("https://dblp.org/rec/x.xml", b"old")
    fake.t += 7200
    handler, seen = scripted(httpx.Response(200, content=b"new"))
    fetcher = make_fetcher(handler, fake, cache=cache, max_age=3600.0)
    assert fetcher.fetch("https://dblp.org/rec/x.xml") == b"new"
    assert cache.get("https://dblp.org/rec/x.xml") == (b"new", fake.t)
    assert len(seen) == 1


def test_a_stale_cached_body_is_returned_when_the_refresh_fails():
    fake = FakeTime()
    cache = MemoryCache(now=fake.clock)
    cache.set("https://api.crossref.org/works/10.1/x", b"stale")
    fake.t += 7200
    handler, seen = scripted(*(httpx.Response(503) for _ in range(3)))
    fetcher = make_fetcher(handler, fake, cache=cache, max_age=3600.0)
    assert fetcher.fetch("https://api.crossref.org/works/10.1/x") == b"stale"
    assert len(seen) == 3


def test_a_404_is_not_hidden_behind_a_stale_cached_body():
    fake = FakeTime()
    cache = MemoryCache(now=fake.clock)
    cache.set("https://api.crossref.org/works/10.1/x", b"stale")
    fake.t += 7200
    handler, _ = scripted(httpx.Response(404))
    fetcher = make_fetcher(handler, fake, cache=cache, max_age=3600.0)
    with pytest.raises(FetchError):
        fetcher.fetch("https://api.crossref.org/works/10.1/x")


def test_failed_responses_are_not_cached():
    fake = FakeTime()
    cache = MemoryCache(now=fake.clock)
    handler, _ = scripted(httpx.Response(404))
    fetcher = make_fetcher(handler, fake, cache=cache)
    with pytest.raises(FetchError):
        fetcher.fetch("https://api.crossref.org/works/10.1/x")
    assert len(cache) == 0


def test_the_cache_key_includes_the_query_parameters():
    fake = FakeTime()
    cache = MemoryCache(now=fake.clock)
    handler, seen = scripted(httpx.Response(200, content=b"a"), httpx.Response(200, content=b"b"))
    fetcher = make_fetcher(handler, fake, cache=cache)
    assert fetcher.fetch("https://dblp.org/search/publ/api", {"q": "a"}) == b"a"
    assert fetcher.fetch("https://dblp.org/search/publ/api", {"q": "b"}) == b"b"
    assert len(seen) == 2


def test_host_headers_go_only_to_their_host():
    handler, seen = scripted(httpx.Response(200), httpx.Response(200))
    fetcher = make_fetcher(
        handler, FakeTime(), host_headers={"api.semanticscholar.org": {"x-api-key": "k"}}
    )
    fetcher.fetch("https://api.semanticscholar.org/graph/v1/paper/x")
    fetcher.fetch("https://dblp.org/x")
    assert seen[0].headers["x-api-key"] == "k"
    assert "x-api-key" not in seen[1].headers


def test_redirects_are_followed():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            return httpx.Response(301, headers={"Location": "https://dblp.org/rec/x.xml"})
        return httpx.Response(200, content=b"moved")

    assert make_fetcher(handler, FakeTime()).fetch("http://dblp.org/rec/x.xml") == b"moved"


def test_fetch_error_reads_well():
    error = FetchError("Not Found", "https://x.org/a", 404)
    assert str(error) == "Not Found [HTTP 404] (https://x.org/a)"
    assert str(FetchError("bad body")) == "bad body"


# -- a deadline (the add page's): no attempt, retry or rate-limit wait runs past it ----------


def test_a_deadline_stops_the_retries_that_would_run_past_it():
    fake = FakeTime()
    handler, seen = scripted(httpx.Response(503), httpx.Response(200, content=b"late"))
    fetcher = make_fetcher(handler, fake, min_intervals={}, default_interval=0.0)
    with pytest.raises(FetchError) as failed:
        fetcher.within(1.0)("https://api.crossref.org/works/10.1/x", {})
    assert len(seen) == 1 and fake.sleeps == []  # the 1.5 s backoff would end past the deadline
    assert failed.value.status == 503


def test_each_attempt_s_timeouts_shrink_to_the_time_left():
    fake = FakeTime()
    handler, seen = scripted(httpx.Response(200, content=b"ok"))
    fetcher = make_fetcher(handler, fake, min_intervals={}, default_interval=0.0)
    assert fetcher.within(2.5)("https://dblp.org/rec/x.xml", {}) == b"ok"
    timeouts = seen[0].extensions["timeout"]
    assert timeouts["connect"] == 2.5 and timeouts["read"] == 2.5


def test_a_rate_limit_slot_past_the_deadline_is_not_waited_for():
    fake = FakeTime()
    handler, seen = scripted(httpx.Response(200, content=b"first"))
    fetcher = make_fetcher(handler, fake, min_intervals={"export.arxiv.org": 3.0})
    fetcher.fetch("https://export.arxiv.org/api/query?id_list=1")
    with pytest.raises(FetchError, match="before the deadline"):
        fetcher.within(2.0)("https://export.arxiv.org/api/query", {"id_list": "2"})
    assert len(seen) == 1 and fake.sleeps == []


def test_a_stale_copy_still_answers_when_the_deadline_leaves_no_time_for_the_network():
    fake = FakeTime()
    cache = MemoryCache(now=fake.clock)
    cache.set("https://api.crossref.org/works/10.1/x", b"stale")
    fake.t += 7200
    handler, seen = scripted()
    fetcher = make_fetcher(handler, fake, cache=cache, max_age=3600.0)
    assert fetcher.within(0.0)("https://api.crossref.org/works/10.1/x", {}) == b"stale"
    assert seen == []


def test_a_timeout_is_told_apart_from_a_refused_connection():
    from shortscience.metadata.http import TimedOut

    fake = FakeTime()
    handler, _ = scripted(httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow"))
    fetcher = make_fetcher(handler, fake, min_intervals={}, max_attempts=2)
    with pytest.raises(TimedOut):
        fetcher.fetch("https://dblp.org/rec/x.xml")
    handler, _ = scripted(httpx.ConnectError("refused"), httpx.ConnectError("refused"))
    fetcher = make_fetcher(handler, fake, min_intervals={}, max_attempts=2)
    with pytest.raises(FetchError) as refused:
        fetcher.fetch("https://dblp.org/rec/x.xml")
    assert not isinstance(refused.value, TimedOut)
