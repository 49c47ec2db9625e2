"""Rate limits are sliding windows counted atomically across processes (the file cache of
`make run`, Redis); a signed-in person is counted by account and their network more loosely.
When the counter store fails, they count in the process instead: a write is never answered 500
for it, never refused for it, and the limit still holds in each process."""

from __future__ import annotations

import errno
import http.client
import logging
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from shortscience.models import Comment
from shortscience.services import ratelimits
from tests.factories import make_summary, make_user
from tests.test_caching import redis_answers

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LIVE_REDIS = "redis://127.0.0.1:6379/9"
HOUR = 3600
# 10:00 UTC on some day: windows used to start on the clock hour.
TEN_OCLOCK = 1_764_000_000 - 1_764_000_000 % HOUR + 10 * HOUR


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
    monkeypatch.setattr(ratelimits, "caches", {"default": BrokenStore()})
    with caplog.at_level(logging.WARNING, logger="shortscience.services.ratelimits"):
        ratelimits.check("voting", ip="192.0.2.1", user_id=1)
        ratelimits.check("voting", ip="192.0.2.1", user_id=1)
        with pytest.raises(ratelimits.RateLimited):
            ratelimits.check("voting", ip="192.0.2.1", user_id=1)
    assert "Rate-limit store failed (OSError" in caplog.text
    ratelimits.check("voting", ip="192.0.2.1", user_id=2)  # others are counted on their own


def test_with_the_store_back_counting_returns_to_it(monkeypatch, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "voting": "1/60"}
    with monkeypatch.context() as patched:
        patched.setattr(ratelimits, "caches", {"default": BrokenStore()})
        ratelimits.check("voting", ip="192.0.2.1", user_id=1)
    ratelimits.check("voting", ip="192.0.2.1", user_id=1)  # the shared store had not seen it
    with pytest.raises(ratelimits.RateLimited):
        ratelimits.check("voting", ip="192.0.2.1", user_id=1)


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


# --- Sliding windows -----------------------------------------------------------------------


class Clock:
    """Stands in for the time module in services/ratelimits.py."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture(params=["file cache", "redis"])
def store(request: Any, settings: Any, tmp_path: Any) -> Iterator[str]:
    """Each supported counter store: the file cache of `make run`, and Redis."""
    if request.param == "redis":
        if not redis_answers():
            pytest.skip("no Redis on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "shortscience.caching.ResilientRedisCache",
                "LOCATION": LIVE_REDIS,
            }
        }
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "shortscience.caching.SharedFileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    cache.clear()
    yield request.param
    cache.clear()


def comment(user_id: int = 7, ip: str = "203.0.113.5") -> bool:
    try:
        ratelimits.check("commenting", ip=ip, user_id=user_id)
    except ratelimits.RateLimited:
        return False
    return True


def test_a_window_does_not_start_again_on_the_clock_hour(store, settings, monkeypatch):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "commenting": "60/3600"}
    clock = Clock(TEN_OCLOCK + 59 * 60)  # 10:59
    monkeypatch.setattr(ratelimits, "time", clock)
    assert all(comment() for _ in range(60))
    clock.now = TEN_OCLOCK + HOUR  # 11:00
    assert not any(comment() for _ in range(60))
    clock.now = TEN_OCLOCK + 59 * 60 + HOUR + 1  # an hour after the first 60
    assert all(comment() for _ in range(60))
    assert not comment()


def test_a_refusal_says_when_a_place_frees_and_is_not_counted(store, settings, monkeypatch):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "commenting": "2/600"}
    clock = Clock(TEN_OCLOCK)
    monkeypatch.setattr(ratelimits, "time", clock)
    assert comment()
    clock.now += 100
    assert comment()
    clock.now += 50
    with pytest.raises(ratelimits.RateLimited) as refused:
        ratelimits.check("commenting", ip="203.0.113.5", user_id=7)
    assert refused.value.retry_after == 450  # when the first leaves the window
    clock.now = TEN_OCLOCK + 601
    assert comment()  # the refused one was not counted: the second is the only one left
    assert not comment()


def _comment_in_a_process(tries: int, start: Any, admitted: Any) -> None:
    start.wait()
    for _ in range(tries):
        if comment():
            with admitted.get_lock():
                admitted.value += 1


def test_processes_counting_at_once_admit_exactly_the_limit(store, settings):
    """Four processes, as `make run`'s gunicorn workers, comment 160 times at once on a limit
    of 60: exactly 60 are let through (a plain file cache let through about 130)."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "commenting": "60/3600"}
    context = multiprocessing.get_context("fork")
    start, admitted = context.Barrier(4), context.Value("i", 0)
    workers = [
        context.Process(target=_comment_in_a_process, args=(40, start, admitted)) for _ in range(4)
    ]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert admitted.value == 60
    assert time.monotonic() - began < 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/")
        return connection.getresponse().status
    finally:
        connection.close()


def test_gunicorn_workers_on_the_default_file_cache_admit_exactly_the_limit(tmp_path):
    """`make run`'s server: gunicorn with four workers of four threads each on the file cache
    (no CACHE_URL), 160 requests at once from 16 connections, a limit of 60."""
    port = _free_port()
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shortscience.settings",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "CACHE_URL": "",
        "REDIS_URL": "",
        "RATE_LIMIT_COMMENTING": "60/3600",
    }
    command = [gunicorn, "tests.services.ratelimits_app:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "4", "--threads", "4", "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 -- our own server
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (
                    "gunicorn did not start"
                )
                time.sleep(0.2)
        time.sleep(1)  # every worker up, not only the first
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(_post, [port] * 160))
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert statuses.count(200) == 60 and statuses.count(429) == 100


# --- Who is counted ------------------------------------------------------------------------


def test_people_behind_one_address_are_counted_by_their_accounts(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "commenting": "3/3600"}
    settings.RATE_LIMITS_SIGNED_IN_IP_FACTOR = 10
    for user_id in range(1, 6):  # five people on one campus NAT
        assert [comment(user_id) for _ in range(4)] == [True, True, True, False]


def test_a_looser_limit_holds_for_the_address_of_signed_in_people(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "commenting": "3/3600"}
    settings.RATE_LIMITS_SIGNED_IN_IP_FACTOR = 2
    assert all(comment(user_id) for user_id in range(1, 7))  # 6 = 3 x 2 from one address
    assert not comment(7)  # a seventh account from there is refused
    assert comment(7, ip="203.0.113.6")  # but not from elsewhere


def test_anonymous_requests_are_counted_by_address_apart_from_signed_in_people(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "paper_lookup": "2/3600"}
    for _ in range(2):
        ratelimits.check("paper_lookup", ip="203.0.113.5")
    with pytest.raises(ratelimits.RateLimited):
        ratelimits.check("paper_lookup", ip="203.0.113.5")
    ratelimits.check("paper_lookup", ip="203.0.113.5", user_id=1)  # signed in: their own count


def test_an_ipv6_network_counts_as_one_address(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "paper_lookup": "1/3600"}
    ratelimits.check("paper_lookup", ip="2001:db8:1:2::1")
    with pytest.raises(ratelimits.RateLimited):
        ratelimits.check("paper_lookup", ip="2001:db8:1:2:ffff::9")
    ratelimits.check("paper_lookup", ip="2001:db8:1:3::1")


def test_a_malformed_limit_stops_the_site_at_start():
    from tests.test_settings_documented import run_settings

    result = run_settings({"RATE_LIMIT_COMMENTING": "60 an hour"}, "")
    assert result.returncode != 0
    assert "RATE_LIMIT_COMMENTING must be count/seconds" in result.stderr
    result = run_settings({"RATE_LIMITS_SIGNED_IN_IP_FACTOR": "0"}, "")
    assert "RATE_LIMITS_SIGNED_IN_IP_FACTOR must be 1 or more" in result.stderr
