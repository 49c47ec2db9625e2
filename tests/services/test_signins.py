"""The sign-in counts live in the shared cache, so every app process sees the same ones; they
degrade to per-process counting when the cache fails; networks, device cookies and resets."""

from __future__ import annotations

import errno
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache

from shortscience.services import signins
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SPRAY = (
    "import django\n"
    "django.setup()\n"
    "from shortscience.services import signins\n"
    "for n in range(20):\n"
    "    signins.failed(signins.begin(f'account{n}', '198.51.100.7', None))\n"
)


def spray_in_another_process(**env: str) -> None:
    result = subprocess.run(  # noqa: S603 -- our own interpreter running our own snippet
        [sys.executable, "-c", SPRAY],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shortscience.settings", **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_failures_counted_in_another_process_refuse_this_one():
    # No cache setting: the file cache `make run`'s processes share.
    spray_in_another_process()
    with pytest.raises(signins.SignInRefused) as refused:
        signins.begin("a-new-account", "198.51.100.7", None)
    assert refused.value.limit == "ip" and 0 < refused.value.retry_after <= 600 + 600 // 20
    signins.begin("a-new-account", "198.51.100.8", None)  # another network is not


def test_with_redis_the_counts_are_shared_through_redis(settings):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    location = "redis://127.0.0.1:6379/5"
    settings.CACHES = {
        "default": {"BACKEND": "shortscience.caching.ResilientRedisCache", "LOCATION": location}
    }
    cache.clear()
    spray_in_another_process(REDIS_URL=location, CACHE_URL="")
    with pytest.raises(signins.SignInRefused):
        signins.begin("a-new-account", "198.51.100.7", None)
    cache.clear()


def test_an_ipv6_network_counts_as_its_64(settings):
    settings.SIGNIN_LIMITS = {**settings.SIGNIN_LIMITS, "ip": "2/600"}
    signins.failed(signins.begin("one", "2001:db8:1:2::1", None))
    signins.failed(signins.begin("two", "2001:db8:1:2:ffff::9", None))
    with pytest.raises(signins.SignInRefused):
        signins.begin("three", "2001:db8:1:2:abcd::5", None)
    signins.begin("three", "2001:db8:1:3::1", None)


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def test_a_burst_either_side_of_a_window_boundary_gets_no_more_than_the_limit(
    settings, monkeypatch
):
    settings.SIGNIN_LIMITS = {**settings.SIGNIN_LIMITS, "ip": "4/600"}
    clock = _Clock(600 * 3_000_000 - 2)  # two seconds before a fixed window ends
    monkeypatch.setattr(signins, "time", clock)
    for n in range(4):
        signins.failed(signins.begin(f"before{n}", "203.0.113.9", None))
    clock.now += 4  # two seconds into the next window: a fixed window would start again
    with pytest.raises(signins.SignInRefused) as refused:
        signins.begin("after", "203.0.113.9", None)
    # The old window's failures slide out: a quarter of them (one) has after 150 s.
    assert refused.value.retry_after == 150 - 2
    clock.now += 148
    signins.failed(signins.begin("after", "203.0.113.9", None))
    with pytest.raises(signins.SignInRefused):
        signins.begin("again", "203.0.113.9", None)


def test_a_refused_attempt_is_not_counted(settings):
    settings.SIGNIN_LIMITS = {**settings.SIGNIN_LIMITS, "account_ip": "1/300"}
    signins.failed(signins.begin("someone", "10.0.0.1", None))
    for _ in range(3):
        with pytest.raises(signins.SignInRefused):
            signins.begin("someone", "10.0.0.1", None)
    assert cache.get(f"rl:signin:account:{signins._account('someone')}") == 1


def test_the_login_is_counted_as_typed_case_and_spaces_aside():
    assert signins._account(" Owner@Example.org ") == signins._account("owner@example.org")
    assert signins._account("owner") != signins._account("owner@example.org")


class BrokenStore:
    """A cache whose every call fails, as the file cache does on a full disk."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise OSError(errno.ENOSPC, "No space left on device")

        return fail


def test_a_failing_store_is_logged_and_the_limits_hold_in_the_process(monkeypatch, caplog):
    signins._local.clear()
    monkeypatch.setattr(signins, "cache", BrokenStore())
    with caplog.at_level(logging.WARNING, logger="shortscience.services.signins"):
        for _ in range(5):
            signins.failed(signins.begin("owner", "10.0.0.1", None))
        with pytest.raises(signins.SignInRefused):
            signins.begin("owner", "10.0.0.1", None)
    assert "Sign-in limit store failed (OSError" in caplog.text
    signins._local.clear()


def test_while_redis_is_down_sign_in_is_limited_not_failed(settings):
    # Port 1: refused at once, as with a stopped Redis; the backend keeps "rl:" keys in memory.
    settings.CACHES = {
        "default": {
            "BACKEND": "shortscience.caching.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/5",
        }
    }
    cache.clear()
    for _ in range(5):
        signins.failed(signins.begin("owner", "10.0.0.1", None))
    with pytest.raises(signins.SignInRefused):
        signins.begin("owner", "10.0.0.1", None)


def test_a_device_cookie_names_a_few_accounts_and_keeps_each_ones_nonce():
    cookie = None
    for user_id in range(1, 8):
        cookie = signins.remember_device(cookie, user_id)
    assert [pk for pk, _ in signins._devices(cookie)] == [7, 6, 5, 4, 3]
    nonce = dict(signins._devices(cookie))[5]
    again = signins.remember_device(cookie, 5)
    assert signins._devices(again)[0] == (5, nonce)


def test_a_device_cookie_that_is_not_ours_or_too_old_names_nobody(settings):
    assert signins._devices("garbage") == []
    assert signins._devices(signing.dumps([[1, "n"]], salt="another-salt")) == []
    cookie = signins.remember_device(None, 1)
    settings.SIGNIN_DEVICE_DAYS = 0
    assert signins._devices(cookie) == []


def test_a_known_device_that_fails_too_often_is_known_no_more(settings):
    settings.SIGNIN_DELAY_AFTER = 3
    owner = make_user("owner")
    cookie = signins.remember_device(None, owner.pk)
    for n in range(3):
        attempt = signins.begin("owner", f"10.0.0.{n}", cookie)
        assert attempt.device is not None
        signins.failed(attempt)
    with pytest.raises(signins.SignInRefused) as refused:
        signins.begin("owner", "10.0.0.9", cookie)
    assert refused.value.limit == "account"


def test_a_known_device_is_known_by_username_and_by_each_address():
    owner = make_user("owner")
    cookie = signins.remember_device(None, owner.pk)
    for login in ("owner", "OWNER", "owner@example.org"):
        assert signins.begin(login, "10.0.0.1", cookie).device is not None
    assert signins.begin("someone-else", "10.0.0.1", cookie).device is None


def test_a_password_reset_forgets_the_failures_of_the_username_and_addresses(settings):
    settings.SIGNIN_DELAY_AFTER = 1
    make_user("owner")
    for login in ("owner", "owner@example.org"):
        signins.failed(signins.begin(login, "10.0.0.1", None))
        with pytest.raises(signins.SignInRefused):
            signins.begin(login, "10.0.0.2", None)
    signins.password_reset("owner@example.org")
    for login in ("owner", "owner@example.org"):
        signins.begin(login, "10.0.0.2", None)


def test_a_malformed_limit_stops_the_site_at_start():
    from tests.test_settings_documented import run_settings

    result = run_settings({"SIGNIN_LIMIT_IP": "20 per minute"}, "")
    assert result.returncode != 0
    assert "SIGNIN_LIMIT_IP must be count/seconds" in result.stderr


def _sign_in_wrongly_in_a_process(start: Any, admitted: Any) -> None:
    start.wait()
    for _ in range(4):
        try:
            attempt = signins.begin("owner", "198.51.100.7", None)
        except signins.SignInRefused:
            continue
        signins.failed(attempt)
        with admitted.get_lock():
            admitted.value += 1


def test_processes_guessing_at_once_get_exactly_the_limit_of_attempts(settings, tmp_path):
    """Four app processes (make run's workers) take wrong passwords for one account from one
    network at once: SIGNIN_LIMIT_ACCOUNT_IP (5) attempts are judged, not 10."""
    import multiprocessing

    settings.CACHES = {
        "default": {
            "BACKEND": "shortscience.caching.SharedFileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    settings.SIGNIN_LIMITS = {"ip": "100/600", "account_ip": "5/300"}
    context = multiprocessing.get_context("fork")
    start, admitted = context.Barrier(4), context.Value("i", 0)
    workers = [
        context.Process(target=_sign_in_wrongly_in_a_process, args=(start, admitted))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert admitted.value == 5


def test_when_a_wait_ends_only_one_new_device_gets_the_next_attempt(settings, monkeypatch):
    """Many networks trying an account under attack at the moment its wait ends: one attempt is
    judged, the others wait, so the per-account wait is not N times weaker for N networks."""
    import time

    now = [time.time()]

    class Clock:
        @staticmethod
        def time() -> float:
            return now[0]

    monkeypatch.setattr(signins, "time", Clock)
    for n in range(settings.SIGNIN_DELAY_AFTER):
        signins.failed(signins.begin("target", f"203.0.113.{n}", None))
    now[0] += settings.SIGNIN_DELAY_MAX_SECONDS + 1  # the wait is over
    first = signins.begin("target", "198.51.100.1", None)
    with pytest.raises(signins.SignInRefused) as refused:
        signins.begin("target", "198.51.100.2", None)
    assert refused.value.limit == "account"
    signins.succeeded(first)
    signins.succeeded(signins.begin("target", "198.51.100.2", None))  # the slot is free again
