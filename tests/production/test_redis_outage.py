"""Redis stopped, then Redis hung (SIGSTOP, then SIGCONT), with people signed in: they stay
signed in, signing in works, pages answer within a bound and never 500, and a write that was
saved is never answered with an error."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.production.clients import Answer, Person, comment_id, in_parallel, signed_in_people
from tests.production.conftest import FIGURES, report
from tests.production.topology import PASSWORD, Topology

pytestmark = pytest.mark.production
PEOPLE = 15
HUNG_PAGE_LIMIT = 2.0  # seconds a hung Redis may add to the longest page
TIMEOUT = 15.0  # the test's own patience per request while Redis is away


@dataclass
class Outage:
    signed_in_before: int = 0
    baseline: float = 0.0  # the longest of the same pages with Redis healthy
    pages: list[Answer] = field(default_factory=list)
    signed_in_during: int = 0
    signed_in_after: int = 0
    sign_in: Answer | None = None
    sign_in_then_signed_in: bool = False
    write: Answer | None = None
    write_saved: bool = False

    @property
    def server_errors(self) -> list[int]:
        return [a.status for a in self.pages if a.status >= 500 or a.status == 0]

    @property
    def longest(self) -> float:
        return round(max(a.seconds for a in self.pages), 2)


def _break_and_observe(
    topology: Topology,
    site: dict[str, list[int]],
    names: list[str],
    newcomer: str,
    run: str,
    break_it: Callable[[], None],
    mend_it: Callable[[], None],
) -> Outage:
    people = signed_in_people(topology.url, names)
    seen = Outage()
    seen.signed_in_before = sum(in_parallel(lambda p: p.get("/notifications/").signed_in, people))
    paper = site["papers"][0]

    def browse(person: Person, phase: str) -> list[Answer]:
        return [
            person.get("/notifications/", timeout=TIMEOUT),
            person.get(f"/papers/{paper}/", timeout=TIMEOUT),
            Person(topology.url).get(
                f"/papers/{paper}/?{phase}={person.username}", timeout=TIMEOUT
            ),
        ]

    # The same pages with Redis healthy: on two shared cores, 45 pages at once queue.
    healthy = in_parallel(lambda p: browse(p, f"{run}-healthy"), people)
    seen.baseline = round(max(a.seconds for answers in healthy for a in answers), 2)
    break_it()
    try:
        time.sleep(0.5)
        pages = in_parallel(lambda p: browse(p, run), people)
        seen.pages = [a for answers in pages for a in answers]
        seen.signed_in_during = sum(answers[0].signed_in for answers in pages)
        newcomer_person = Person(topology.url, newcomer, timeout=TIMEOUT)
        seen.sign_in = newcomer_person.post(
            "/accounts/login/", {"login": newcomer, "password": PASSWORD}
        )
        seen.sign_in_then_signed_in = newcomer_person.get("/notifications/").signed_in
        seen.pages += [seen.sign_in]
        marker = f"{run}-write"
        seen.write = people[0].comment(site["summaries"][0], f"{marker} while Redis is away",
                                       "json")  # fmt: skip
        seen.pages.append(seen.write)
    finally:
        mend_it()
    time.sleep(0.5)
    seen.signed_in_after = sum(in_parallel(lambda p: p.get("/notifications/").signed_in, people))
    seen.write_saved = bool(
        topology.postgres.query(
            "SELECT 1 FROM shortscience_comment WHERE markdown LIKE %s", f"{marker} %"
        )
    )
    return seen


def _slowest(pages: list[Answer]) -> list[Answer]:
    return sorted(pages, key=lambda a: -a.seconds)[:3]


def _report(name: str, seen: Outage) -> None:
    assert seen.sign_in is not None and seen.write is not None
    report(
        name,
        people=PEOPLE, signed_in_before=seen.signed_in_before,
        signed_in_during=seen.signed_in_during, signed_in_after=seen.signed_in_after,
        pages=len(seen.pages), server_errors=len(seen.server_errors),
        longest_page_s=seen.longest, longest_healthy_s=seen.baseline,
        slowest=[f"{a.path} {a.seconds:.2f}s" for a in _slowest(seen.pages)],
        sign_in_status=seen.sign_in.status,
        write_status=seen.write.status, write_saved=seen.write_saved,
    )  # fmt: skip


@pytest.fixture(scope="module")
def stopped(topology: Topology, site: dict[str, list[int]]) -> Outage:
    seen = _break_and_observe(
        topology, site, [f"load{n:02d}" for n in range(1, PEOPLE + 1)], "redis01", "redisdown",
        lambda: topology.stop_redis(), lambda: topology.start_redis(persistent=True),
    )  # fmt: skip
    _report("redis-stopped", seen)
    FIGURES["sessions_kept"] = f"{min(seen.signed_in_during, seen.signed_in_after)} of {PEOPLE}"
    return seen


@pytest.fixture(scope="module")
def hung(topology: Topology, site: dict[str, list[int]], stopped: Outage) -> Outage:
    redis = topology.children["redis"]
    seen = _break_and_observe(
        topology, site, [f"load{n:02d}" for n in range(1, PEOPLE + 1)], "redis02", "redishung",
        lambda: redis.signal(signal.SIGSTOP), lambda: redis.signal(signal.SIGCONT),
    )  # fmt: skip
    _report("redis-hung", seen)
    FIGURES["longest_hung_page"] = f"{seen.longest} (the same pages healthy: {seen.baseline})"
    return seen


@pytest.mark.needs_faults
def test_signed_in_people_stay_signed_in_while_redis_is_down(stopped: Outage) -> None:
    assert stopped.signed_in_before == PEOPLE
    assert (stopped.signed_in_during, stopped.signed_in_after) == (PEOPLE, PEOPLE)


@pytest.mark.needs_faults
def test_pages_and_sign_in_work_without_a_500_while_redis_is_down(stopped: Outage) -> None:
    assert stopped.server_errors == []
    assert stopped.sign_in is not None and stopped.sign_in.status == 302
    assert stopped.sign_in_then_signed_in


@pytest.mark.needs_faults
def test_a_write_saved_while_redis_is_down_is_answered_as_saved(stopped: Outage) -> None:
    assert stopped.write is not None
    assert stopped.write_saved == (comment_id(stopped.write) is not None)
    assert stopped.write_saved, f"answered {stopped.write.status}, not saved"


@pytest.mark.needs_faults
def test_pages_answer_within_a_bound_and_without_a_500_while_redis_hangs(hung: Outage) -> None:
    assert hung.server_errors == []
    assert hung.longest < HUNG_PAGE_LIMIT + hung.baseline, (hung.longest, hung.baseline)


@pytest.mark.needs_faults
def test_people_stay_signed_in_and_can_sign_in_while_redis_hangs(hung: Outage) -> None:
    assert (hung.signed_in_during, hung.signed_in_after) == (PEOPLE, PEOPLE)
    assert hung.sign_in is not None and hung.sign_in.status == 302


@pytest.mark.needs_faults
def test_a_write_saved_while_redis_hangs_is_answered_as_saved(hung: Outage) -> None:
    assert hung.write is not None
    assert hung.write_saved == (comment_id(hung.write) is not None)
