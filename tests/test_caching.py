"""A Redis that is down, hung or flushed degrades the cache to misses: nobody is signed out,
sign-in works, pages serve, rate-limit counters go on per process, and a hung Redis costs one
socket timeout per retry window, not one per cache call."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache, caches

from shortscience.caching import ResilientRedisCache
from tests.factories import make_summary, make_user
from tests.test_settings_documented import run_settings

# Nothing listens on port 1: the redis client's connect is refused at once.
DEAD = "redis://127.0.0.1:1/6"
LIVE = "redis://127.0.0.1:6379/6"


def redis_config(location: str, **extra: Any) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "shortscience.caching.ResilientRedisCache",
            "LOCATION": location,
            "RETRY_SECONDS": 5,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            **extra,
        }
    }


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


needs_redis = pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_down(settings: Any) -> None:
    settings.CACHES = redis_config(DEAD)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cache.clear()  # the process's fallback counters, shared by every test


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A server that accepts connections and never answers (the kernel completes the TCP
    handshake from the backlog): every read times out, like a Redis stuck in a long command."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/6"
    listener.close()


# --- The backend ------------------------------------------------------------------------------


def test_a_cache_that_cannot_reach_redis_answers_misses_and_accepts_writes(redis_down):
    assert isinstance(cache, ResilientRedisCache) or isinstance(
        caches["default"], ResilientRedisCache
    )
    cache.set("page:x", b"body")
    assert cache.get("page:x") is None
    assert cache.get("page:x", "default") == "default"
    assert cache.add("lock", True) is True
    assert cache.get_many(["a", "b"]) == {}
    assert sorted(cache.set_many({"a": 1, "b": 2})) == ["a", "b"]
    assert cache.delete("page:x") is False
    assert "page:x" not in cache
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")


def test_rate_limit_counters_go_on_in_process_memory_while_redis_is_down(redis_down):
    assert cache.add("rl:voting:user:1:0", 1) is True
    assert cache.incr("rl:voting:user:1:0") == 2
    assert cache.add("rl:voting:user:1:0", 1) is False
    assert cache.get("allauth:rl:x") is None
    cache.set("allauth:rl:x", [1.0])
    assert cache.get("allauth:rl:x") == [1.0]


def test_a_hung_redis_costs_one_timeout_per_retry_window(settings, hung_redis):
    settings.CACHES = redis_config(hung_redis)
    started = time.monotonic()
    assert cache.get("a") is None
    first = time.monotonic() - started
    started = time.monotonic()
    for _ in range(50):
        cache.get("a")
        cache.set("a", 1)
    rest = time.monotonic() - started
    assert 0.4 <= first < 2
    assert rest < 0.2


def test_redis_is_tried_again_after_the_retry_window(settings, hung_redis):
    settings.CACHES = redis_config(hung_redis, RETRY_SECONDS=0.2)
    cache.get("a")
    resilient = caches["default"]
    assert isinstance(resilient, ResilientRedisCache)
    assert not resilient.available
    time.sleep(0.25)
    assert resilient.available
    started = time.monotonic()
    cache.get("a")
    assert time.monotonic() - started >= 0.4  # it really asked Redis again


@needs_redis
def test_with_redis_up_the_backend_is_a_plain_redis_cache(settings):
    settings.CACHES = redis_config(LIVE)
    cache.set("k", 41)
    assert cache.incr("k") == 42
    assert cache.set_many({"a": 1}) == []
    assert cache.get_many(["a", "k"]) == {"a": 1, "k": 42}
    cache.clear()


# --- Sessions and pages -------------------------------------------------------------------------


def test_with_redis_as_the_cache_sessions_are_read_through_it_from_the_database():
    code = (
        "from django.conf import settings\n"
        "print(settings.SESSION_ENGINE, settings.CACHES['default']['BACKEND'])\n"
    )
    result = run_settings({"REDIS_URL": LIVE, "CACHE_URL": "", "SESSION_ENGINE": ""}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "shortscience.sessions",  # Django's cached_db (shortscience/sessions.py)
        "shortscience.caching.ResilientRedisCache",
    ]


@pytest.mark.django_db
def test_a_signed_in_reader_stays_signed_in_while_redis_is_down(redis_down, client_for):
    person = make_user()
    client = client_for(person)
    for path in ("/notifications/", "/settings/notifications/", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert person.username in response.content.decode()
    assert "sessionid" in client.cookies
    assert client.cookies["sessionid"]["max-age"] != 0


@pytest.mark.django_db
def test_signing_in_works_while_redis_is_down(redis_down, client):
    person = make_user()
    response = client.post(
        "/accounts/login/", {"login": person.username, "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert client.get("/notifications/").status_code == 200


@pytest.mark.django_db
def test_anonymous_pages_serve_while_redis_is_down(redis_down, client):
    summary = make_summary()
    assert client.get("/").status_code == 200
    assert client.get(f"/summaries/{summary.pk}/").status_code == 200
    assert client.get(f"/api/v1/summaries/{summary.pk}").status_code == 200


@needs_redis
@pytest.mark.django_db
def test_a_signed_in_reader_stays_signed_in_through_a_redis_flush_and_an_outage(
    settings, client_for
):
    settings.CACHES = redis_config(LIVE)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    person = make_user()
    client = client_for(person)
    assert client.get("/notifications/").status_code == 200
    cache.clear()  # FLUSHDB: what a Redis restart without persistence does
    assert client.get("/notifications/").status_code == 200
    settings.CACHES = redis_config(DEAD)
    assert client.get("/notifications/").status_code == 200
    settings.CACHES = redis_config(LIVE)
    response = client.get("/notifications/")
    assert response.status_code == 200 and person.username in response.content.decode()
    cache.clear()


# --- The file cache of `make run`: counting that holds across processes ---------------------


def file_cache(location: Any, **options: Any) -> Any:
    from shortscience.caching import SharedFileBasedCache

    return SharedFileBasedCache(str(location), {"OPTIONS": options})


def _count_in_a_process(location: str, start: Any) -> None:
    store = file_cache(location)
    start.wait()
    for _ in range(50):
        store.incr("rl:test:counter")


def test_the_file_cache_counts_every_increment_of_processes_counting_at_once(tmp_path):
    import multiprocessing

    store = file_cache(tmp_path)
    store.add("rl:test:counter", 0, timeout=3600)
    context = multiprocessing.get_context("fork")
    start = context.Barrier(4)
    workers = [
        context.Process(target=_count_in_a_process, args=(str(tmp_path), start)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert store.get("rl:test:counter") == 200  # Django's file cache lost about half


def test_an_increment_keeps_the_expiry_of_an_hour_long_window(tmp_path):
    import pickle

    store = file_cache(tmp_path)
    store.add("rl:test:hour", 1, timeout=3600)
    assert store.incr("rl:test:hour") == 2
    with open(store._key_to_file("rl:test:hour"), "rb") as stored:
        expiry = pickle.load(stored)  # noqa: S301 -- the file this test just wrote
    assert expiry > time.time() + 3500  # Django's incr wrote it back with 300 s


def test_culling_the_file_cache_leaves_counters_and_clearing_it_does_not(tmp_path):
    store = file_cache(tmp_path, MAX_ENTRIES=5, CULL_FREQUENCY=1)  # a cull empties the cache
    store.add("rl:test:kept", 1, timeout=3600)
    for n in range(10):
        store.set(f"page:{n}", "<html>", timeout=3600)
    assert store.get("rl:test:kept") == 1
    store.clear()
    assert store.get("rl:test:kept") is None
