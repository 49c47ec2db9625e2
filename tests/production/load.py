"""Writes under load while something breaks: each signed-in person posts comments with a unique
marker as fast as the site answers; a fault runs once a share of the writes is done. Afterwards
the database says which markers exist, so every acknowledged write can be looked for."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.production.clients import Person, comment_id
from tests.production.topology import Topology

STYLES = ("form", "htmx", "json")  # plain form posts, htmx posts, fetch callers wanting JSON


@dataclass
class Write:
    marker: str
    style: str
    started: float
    finished: float
    status: int
    retry_after: str | None
    content_type: str
    acknowledged: bool


@dataclass
class LoadResult:
    writes: list[Write]
    found: Counter[str]
    fault_started: float = 0.0
    fault_finished: float = 0.0
    seconds: float = 0.0
    faults: dict[str, float] = field(default_factory=dict)

    @property
    def acknowledged(self) -> list[Write]:
        return [w for w in self.writes if w.acknowledged]

    @property
    def refused(self) -> list[Write]:
        return [w for w in self.writes if not w.acknowledged]

    @property
    def lost(self) -> list[str]:
        return [w.marker for w in self.acknowledged if not self.found[w.marker]]

    @property
    def doubled(self) -> list[str]:
        return [marker for marker, n in self.found.items() if n > 1]

    @property
    def saved_but_refused(self) -> list[Write]:
        """Committed, yet answered with an error: the writer would post it again."""
        return [w for w in self.refused if self.found[w.marker]]

    def statuses(self) -> dict[int, int]:
        return dict(sorted(Counter(w.status for w in self.writes).items()))

    def _first_success(self) -> float | None:
        after = [w.finished for w in self.acknowledged if w.started >= self.fault_finished]
        return min(after) if after else None

    def recovery(self) -> float | None:
        """Seconds from the service being back (the fault's command returned) to the first
        acknowledged write sent after that: what the app adds to the service's own outage."""
        first = self._first_success()
        return round(first - self.fault_finished, 2) if first else None

    def outage(self) -> float | None:
        """Seconds from the fault's start to that first success (the outage writers saw)."""
        first = self._first_success()
        return round(first - self.fault_started, 2) if first else None


def run_writes(
    topology: Topology,
    people: list[Person],
    summaries: list[int],
    total: int,
    run: str,
    fault: Callable[[], None] | None = None,
    fault_at: float = 0.3,
) -> LoadResult:
    """`total` comments from `people` at once; `fault()` runs in its own thread when `fault_at`
    of them were attempted. A refused write waits 0.2 s before the next, as a person would."""
    numbers = itertools.count()
    writes: list[Write] = []
    lock = threading.Lock()
    result = LoadResult(writes, Counter())
    fault_fired = threading.Event()

    def fire() -> None:
        result.fault_started = time.monotonic()
        assert fault is not None
        fault()
        result.fault_finished = time.monotonic()

    fault_thread = threading.Thread(target=fire)

    def client(index: int, person: Person) -> None:
        for n in range(10**9):
            number = next(numbers)
            if number >= total:
                return
            if fault and number >= total * fault_at and not fault_fired.is_set():
                with lock:
                    if not fault_fired.is_set():
                        fault_fired.set()
                        fault_thread.start()
            style = STYLES[(index + n) % len(STYLES)]
            marker = f"{run}-c{index:02d}-{n:05d}"
            answer = person.comment(summaries[(index + n) % len(summaries)],
                                    f"{marker} written under load", style)  # fmt: skip
            write = Write(
                marker, style, time.monotonic() - answer.seconds, time.monotonic(), answer.status,
                answer.headers.get("retry-after"), answer.headers.get("content-type", ""),
                comment_id(answer) is not None,
            )  # fmt: skip
            with lock:
                writes.append(write)
            if not write.acknowledged:
                time.sleep(0.2)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i, p)) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if fault_fired.is_set():
        fault_thread.join()
    result.seconds = round(time.monotonic() - started, 1)
    rows = topology.postgres.query(
        "SELECT split_part(markdown, ' ', 1) FROM shortscience_comment WHERE markdown LIKE %s",
        f"{run}-%",
    )
    result.found = Counter(str(r[0]) for r in rows)
    return result


EXPECTED_TYPE = {"json": "application/json", "htmx": "text/html"}


def refusal_problems(result: LoadResult) -> list[str]:
    """Every refused write must say 503 + Retry-After: JSON for JSON callers, an HTML line for
    htmx callers (swapped into the page's error area), the HTML page otherwise."""
    problems = []
    for w in result.refused:
        if w.status != 503 or not w.retry_after:
            problems.append(f"{w.marker} ({w.style}): {w.status}, Retry-After {w.retry_after}")
        elif w.style in EXPECTED_TYPE and EXPECTED_TYPE[w.style] not in w.content_type:
            problems.append(f"{w.marker} ({w.style}): 503 as {w.content_type}")
    return problems
