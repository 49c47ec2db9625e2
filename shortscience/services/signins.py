"""Limits on failed sign-ins that stop guessing without locking the owner out (docs/accounts.md,
"Sign-in limits").

Three counts decide, all in the Django cache (Redis in production, the file cache `make run`'s
processes share), so they hold across every app process:

- per network (an IPv4 address, an IPv6 /64): SIGNIN_LIMITS["ip"] failed sign-ins per sliding
  window, whatever accounts they were for, so password spraying from one place stops;
- per account and network: SIGNIN_LIMITS["account_ip"], reset by a successful sign-in there;
- per account, from anywhere: no lock. After SIGNIN_DELAY_AFTER failures, a device that has not
  signed in to the account before waits between attempts, SIGNIN_DELAY_SECONDS doubling with
  each further failure up to SIGNIN_DELAY_MAX_SECONDS. Nothing sleeps: the attempt is refused
  with the time to wait.

A device that has signed in to an account carries a signed cookie naming it (OWASP's device
cookie); on that account it skips the per-account wait and the per-network count, and keeps the
per-account-and-network one. A device cookie that fails SIGNIN_DELAY_AFTER times itself
stops counting as known, so a stolen cookie is no key.

An attempt is judged before its password is checked, from counts of earlier failures of the
login as typed, so a refusal says nothing about whether the account exists or the password was
right; a correct password is never counted as a failure. The login is counted as typed (case
aside): a username and each e-mail address of one account are counted apart, so resolving one
to the other cannot tell a stranger which addresses an account has.

When the cache fails (Redis down, a full disk), counting goes on in this process's memory, as
services/ratelimits.py does: each limit still holds per process, and sign-in never fails for it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import Q

from shortscience.models import User
from shortscience.services import ratelimits
from shortscience.services.errors import DomainError

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEVICE_COOKIE = "signin_device"
_DEVICE_SALT = "shortscience.signins.device"
_DEVICES_KEPT = 5  # accounts one browser is remembered for; a shared computer has a few
# "rl:" keys are kept in process memory by shortscience.caching while Redis is down.
_PREFIX = "rl:signin"

# This process's counters while the shared store fails.
_local = LocMemCache("shortscience-signins", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


class SignInRefused(DomainError):
    """Too many failed sign-ins: wait `retry_after` seconds. `limit` says which count
    refused ("ip", "account_ip" or "account")."""

    status = 429

    def __init__(self, limit: str, retry_after: int) -> None:
        wait = _wait_words(retry_after)
        if limit == "account":
            message = (
                "There have been many failed sign-ins to this account, so a device that has "
                f"not signed in to it before must wait between attempts. Try again in {wait}. "
                "A device you have signed in with before can sign in now."
            )
        elif limit == "account_ip":
            message = (
                "Too many failed sign-ins to this account from your network. "
                f"Try again in {wait}, or reset your password."
            )
        else:
            message = f"Too many failed sign-ins from your network. Try again in {wait}."
        super().__init__(message)
        self.limit = limit
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attempt:
    """One sign-in allowed by `begin`, to be ended by `failed` or `succeeded`."""

    account: str  # the login as typed, hashed
    network: str
    device: str | None  # the nonce of a device cookie known to this account
    counted: tuple[tuple[str, str, int], ...]  # (limit, key, timeout) of the windows counted
    slot: str | None = None  # the one attempt a new device may make on an account under attack


def begin(login: str, ip: str, device_cookie: str | None) -> Attempt:
    """Before the password is checked: raise SignInRefused if this attempt must wait, else count
    it in the per-network windows (`succeeded` takes it back)."""
    now = time.time()
    account, network = _account(login), ratelimits.network(ip)
    device = _known_device(login, device_cookie)
    slot = None
    if device is None:
        wait_key, failures_key = f"{_PREFIX}:wait:{account}", f"{_PREFIX}:account:{account}"
        known = _call(lambda store: store.get_many([wait_key, failures_key]))
        until = known.get(wait_key)
        if until is not None and until > now:
            raise SignInRefused("account", math.ceil(until - now))
        if known.get(failures_key, 0) >= settings.SIGNIN_DELAY_AFTER:
            # Under attack, a new device gets one attempt per wait: the first to claim the
            # slot; the others (many networks at the moment a wait ends) wait for the next.
            slot = f"{_PREFIX}:slot:{account}"
            hold = settings.SIGNIN_DELAY_SECONDS
            if not _call(lambda store: store.add(slot, 1, timeout=hold)):
                raise SignInRefused("account", hold)
    windows = [("account_ip", f"{account}:{network}")]
    if device is None:
        windows.insert(0, ("ip", network))
    counters = [_Window(limit, who, now) for limit, who in windows]
    seen = _call(
        lambda store: store.get_many([key for c in counters for key in (c.key, c.previous_key)])
    )
    for counter in counters:
        if counter.estimate(seen.get(counter.key, 0), seen.get(counter.previous_key, 0)):
            raise SignInRefused(counter.limit, counter.retry_after)
    counted: list[tuple[str, str, int]] = []
    for counter in counters:
        # Kept through the next window too, where it is the previous one that still weighs.
        timeout = counter.seconds + counter.retry_after + 5
        counted.append((counter.limit, counter.key, timeout))
        bumped = _call(partial(_bump, key=counter.key, timeout=timeout))
        if counter.estimate(bumped - 1, seen.get(counter.previous_key, 0)):
            # Others were counted in the moment since the look above: this one is over.
            _uncount(counted)
            _release(slot)
            raise SignInRefused(counter.limit, counter.retry_after)
    return Attempt(
        account=account, network=network, device=device, counted=tuple(counted), slot=slot
    )


class _Window:
    """One per-network limit as a sliding window counter: the failures counted in the current
    fixed window plus the previous window's, weighted by how much of it the sliding window still
    covers. Fixed windows alone start again from nothing at each boundary, so a burst on either
    side of one would get twice the limit through."""

    def __init__(self, limit: str, who: str, now: float) -> None:
        self.limit = limit
        self.count, self.seconds = ratelimits.parse_rate(settings.SIGNIN_LIMITS[limit])
        start = int(now) - int(now) % self.seconds
        self.key = f"{_PREFIX}:{limit}:{who}:{start}"
        self.previous_key = f"{_PREFIX}:{limit}:{who}:{start - self.seconds}"
        self.elapsed = now - start
        self.retry_after = max(1, math.ceil(self.seconds - self.elapsed))

    def estimate(self, current: int, previous: int) -> bool:
        """Whether one more failure, after `current` here and `previous` in the window before,
        is over the limit; when it is, `retry_after` becomes the wait until it is not. The
        previous window's failures count whole until enough of them have slid out (rounded
        up), so a burst just before a boundary holds the next one back."""
        weight = 1 - self.elapsed / self.seconds
        if math.ceil(previous * weight - 1e-9) + current < self.count:
            return False
        if current < self.count:
            room = self.count - 1 - current  # of the previous window's failures still to count
            wait = self.seconds * (1 - room / previous) - self.elapsed
        else:  # this window is full: its failures become the previous window's to slide out
            wait = self.seconds - self.elapsed + self.seconds * (1 - (self.count - 1) / current)
        self.retry_after = max(1, math.ceil(wait))
        return True


def _release(slot: str | None) -> None:
    if slot is not None:
        _call(lambda store: store.delete(slot))


def failed(attempt: Attempt) -> None:
    """The password was wrong: count it against the account, and against the device cookie
    that came with it; from SIGNIN_DELAY_AFTER failures on, new devices wait."""
    kept = settings.SIGNIN_FAILURES_KEPT_SECONDS
    failures = _call(lambda store: _bump(store, f"{_PREFIX}:account:{attempt.account}", kept))
    if attempt.device is not None:
        device = attempt.device
        _call(lambda store: _bump(store, f"{_PREFIX}:device:{device}", kept))
    over = failures - settings.SIGNIN_DELAY_AFTER
    if over >= 0:
        delay = min(
            settings.SIGNIN_DELAY_SECONDS * 2 ** min(over, 32), settings.SIGNIN_DELAY_MAX_SECONDS
        )
        until = time.time() + delay
        _call(lambda store: store.set(f"{_PREFIX}:wait:{attempt.account}", until, delay + 5))
    _release(attempt.slot)  # the wait now set holds the next attempts back


def succeeded(attempt: Attempt) -> None:
    """The password was right: the attempt is not a failure, so it leaves the per-network count,
    and the account's count on this network (and the device's failures) start again."""
    _uncount([entry for entry in attempt.counted if entry[0] == "ip"])
    gone = [key for limit, key, _ in attempt.counted if limit == "account_ip"]
    if attempt.device is not None:
        gone.append(f"{_PREFIX}:device:{attempt.device}")
    _call(lambda store: store.delete_many(gone))
    _release(attempt.slot)


def password_reset(email: str) -> None:
    """The account of `email` proved its mail by resetting its password: its failures and its
    wait are forgotten, for its username and every address."""
    user = User.objects.filter(emailaddress__email__iexact=email).first()
    logins = {email} if user is None else {user.username, user.email, *_addresses(user)}
    keys = []
    for login in filter(None, logins):
        account = _account(login)
        keys += [f"{_PREFIX}:account:{account}", f"{_PREFIX}:wait:{account}"]
    _call(lambda store: store.delete_many(keys))


def remember_device(device_cookie: str | None, user_id: int) -> str:
    """The device cookie's new value after `user_id` signed in on this device: it names the
    account (first, keeping its nonce) and up to _DEVICES_KEPT - 1 others."""
    entries = _devices(device_cookie)
    nonce = next((n for pk, n in entries if pk == user_id), None) or secrets.token_urlsafe(16)
    kept = [[user_id, nonce]] + [[pk, n] for pk, n in entries if pk != user_id]
    return signing.dumps(kept[:_DEVICES_KEPT], salt=_DEVICE_SALT, compress=True)


def device_cookie_seconds() -> int:
    return int(settings.SIGNIN_DEVICE_DAYS * 86400)


# --- Internals ------------------------------------------------------------------------------


def _account(login: str) -> str:
    return hashlib.sha256(login.strip().casefold().encode()).hexdigest()[:32]


def _wait_words(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"about {round(seconds / 60)} minutes"


def _devices(device_cookie: str | None) -> list[tuple[int, str]]:
    """The (account id, nonce) pairs of a device cookie that is ours and not too old."""
    if not device_cookie:
        return []
    try:
        value: Any = signing.loads(
            device_cookie, salt=_DEVICE_SALT, max_age=device_cookie_seconds()
        )
    except signing.BadSignature:
        return []
    if not isinstance(value, list):
        return []
    return [
        (entry[0], entry[1])
        for entry in value
        if isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[0], int)
        and isinstance(entry[1], str)
    ]


def _known_device(login: str, device_cookie: str | None) -> str | None:
    """The nonce of the device cookie's entry for the account `login` names, unless that device
    has itself failed too often. One query, and only when a device cookie came."""
    entries = dict(_devices(device_cookie))
    if not entries:
        return None
    typed = login.strip()
    match = (
        User.objects.filter(pk__in=entries)
        .filter(
            Q(username__iexact=typed)
            | Q(email__iexact=typed)
            | Q(emailaddress__email__iexact=typed)
        )
        .values_list("pk", flat=True)
        .first()
    )
    if match is None:
        return None
    nonce = entries[match]
    failures = _call(lambda store: store.get(f"{_PREFIX}:device:{nonce}", 0))
    return nonce if failures < settings.SIGNIN_DELAY_AFTER else None


def _addresses(user: User) -> list[str]:
    return [address.email for address in EmailAddress.objects.filter(user=user)]


def _uncount(counted: Iterable[tuple[str, str, int]]) -> None:
    for _, key, timeout in counted:
        _call(partial(_unbump, key=key, timeout=timeout))


def _call(operation: Callable[[BaseCache], T]) -> T:
    try:
        return operation(cache)
    except Exception as error:  # any backend's failure; a sign-in must be decided, not fail
        logger.warning(
            "Sign-in limit store failed (%s: %s); counting in this process",
            type(error).__name__,
            error,
        )
        return operation(_local)


def _bump(store: BaseCache, key: str, timeout: int) -> int:
    """One more for `key`, which expires `timeout` seconds from now. The touch is for backends
    whose incr writes the value back with the default timeout (the file cache)."""
    try:
        count = store.incr(key)
    except ValueError:  # the first (or it expired a moment ago)
        if store.add(key, 1, timeout=timeout):
            return 1
        try:
            count = store.incr(key)
        except ValueError:  # expired between add and incr
            store.add(key, 1, timeout=timeout)
            return 1
    store.touch(key, timeout)
    return int(count)


def _unbump(store: BaseCache, key: str, timeout: int) -> None:
    try:
        store.decr(key)
    except ValueError:  # expired since: nothing to take back
        return
    store.touch(key, timeout)
