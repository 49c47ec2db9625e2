"""Asking several sources at once with one deadline (metadata/asking.py). The slow calls block
on an event the test releases at the end: nothing here measures time, the deadline is a bound."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from shortscience.metadata.asking import State, ask_all
from shortscience.metadata.http import FetchError, MalformedResponse


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # lets the threads the test left blocked finish


def test_answers_that_arrive_are_kept_and_a_blocked_call_is_reported_late(release):
    def slow() -> str:
        release.wait(30)
        return "too late"

    outcomes = ask_all({"fast": lambda: "here", "slow": slow}, 0.2)
    assert outcomes["fast"].state is State.ANSWERED and outcomes["fast"].value == "here"
    assert outcomes["slow"].state is State.LATE and outcomes["slow"].value is None


def test_the_calls_run_at_the_same_time(release):
    started = threading.Barrier(3, timeout=10)

    def call() -> str:
        started.wait()  # only passes when all three calls are running at once
        return "ok"

    outcomes = ask_all(dict.fromkeys("abc", call), 10)
    assert {o.state for o in outcomes.values()} == {State.ANSWERED}


def test_failures_are_told_apart_and_a_bug_in_a_parser_does_not_escape():
    def refused() -> str:
        raise FetchError("connect error", "https://export.arxiv.org/api/query")

    def garbled() -> str:
        raise MalformedResponse("not XML")

    def buggy() -> str:
        raise KeyError("title")

    outcomes = ask_all({"a": refused, "b": garbled, "c": buggy}, 5)
    assert outcomes["a"].state is State.FAILED
    assert outcomes["b"].state is State.UNREADABLE
    assert outcomes["c"].state is State.FAILED


def test_each_thread_runs_the_cleanup_after_its_call():
    cleaned: list[str] = []
    ask_all(
        {"a": lambda: 1},
        5,
        each_thread_ends=lambda: cleaned.append(threading.current_thread().name),
    )
    assert len(cleaned) == 1 and cleaned[0] != threading.current_thread().name


def test_outcomes_come_back_in_the_order_the_calls_were_given(release):
    def slow() -> int:
        release.wait(30)
        return 0

    assert list(ask_all({"z": slow, "a": lambda: 1, "m": lambda: 2}, 0.2)) == ["z", "a", "m"]


def test_a_call_ended_by_its_own_timeout_is_late_like_one_still_running():
    from shortscience.metadata.http import TimedOut

    def timed_out() -> str:
        raise TimedOut("ReadTimeout: timed out", "https://dblp.org/search/publ/api")

    assert ask_all({"dblp": timed_out}, 5)["dblp"].state is State.LATE
