"""Asking several sources at once with one overall deadline.

Each call runs in its own thread (the fetch functions are blocking httpx calls); the caller
gets every answer that arrived within `seconds`, and the names of the calls that had not: they
are left to finish on their own (their own timeouts end them) and their answers are dropped.
A call that fails with `FetchError` is reported with its error; any other exception is a bug
in a parser, logged and reported as a failure, so one source never breaks the page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from shortscience.metadata.http import FetchError, MalformedResponse, TimedOut

logger = logging.getLogger(__name__)
T = TypeVar("T")


class State(StrEnum):
    ANSWERED = "answered"
    FAILED = "failed"  # a network error, an HTTP error status, or an unreadable answer
    UNREADABLE = "unreadable"  # the answer arrived but had not the documented shape
    LATE = "late"  # no answer within the deadline (or its own timeout, cut to it, ended first)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    name: str
    state: State
    value: T | None = None
    error: BaseException | None = None  # for logs only: never shown to a person


def ask_all(
    calls: Mapping[str, Callable[[], T]],
    seconds: float,
    *,
    each_thread_ends: Callable[[], None] = lambda: None,
    on_outcome: Callable[[Outcome[T]], None] = lambda outcome: None,
    clock: Callable[[], float] | None = None,
) -> dict[str, Outcome[T]]:
    """Run every call concurrently and wait at most `seconds` in all. `each_thread_ends` runs
    in each worker thread after its call (the caller's cleanup, such as closing database
    connections); `on_outcome` in the caller's thread as each outcome is known."""
    now = clock or time.monotonic
    if not calls:
        return {}
    end = now() + seconds
    pool = ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="ask")
    try:
        futures: dict[Future[T], str] = {
            pool.submit(_run, call, each_thread_ends): name for name, call in calls.items()
        }
        outcomes: dict[str, Outcome[T]] = {}
        pending = set(futures)
        while pending:
            left = end - now()
            if left <= 0:
                break
            done, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = _outcome(futures[future], future)
                outcomes[outcome.name] = outcome
                on_outcome(outcome)
        for future in pending:
            outcome = Outcome[T](futures[future], State.LATE)
            outcomes[outcome.name] = outcome
            on_outcome(outcome)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return {name: outcomes[name] for name in calls}


def _run(call: Callable[[], T], each_thread_ends: Callable[[], None]) -> T:
    try:
        return call()
    finally:
        each_thread_ends()


def _outcome(name: str, future: Future[T]) -> Outcome[T]:
    error = future.exception()
    if error is None:
        return Outcome(name, State.ANSWERED, future.result())
    if isinstance(error, TimedOut):
        # Its own timeout (cut to the deadline) ended it a moment before the deadline did.
        logger.warning("%s did not answer in time: %s", name, error)
        return Outcome(name, State.LATE, error=error)
    if isinstance(error, MalformedResponse):
        logger.warning("%s answered with an unreadable body: %s", name, error)
        return Outcome(name, State.UNREADABLE, error=error)
    if isinstance(error, FetchError):
        logger.warning("%s could not be asked: %s", name, error)
        return Outcome(name, State.FAILED, error=error)
    logger.error("%s: unexpected error", name, exc_info=error)
    return Outcome(name, State.FAILED, error=error)
