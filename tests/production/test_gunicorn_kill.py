"""One gunicorn process SIGKILLed under reads and writes: no acknowledged write lost or doubled,
reads carried on by the other process, and nginx retries only what is safe to repeat."""

from __future__ import annotations

import re
import threading

import pytest

from tests.production.clients import Answer, Person, signed_in_people
from tests.production.conftest import report
from tests.production.load import run_writes
from tests.production.topology import Topology

pytestmark = pytest.mark.production
WRITERS, READERS, WRITES = 10, 4, 400


def test_nginx_retries_idempotent_requests_only(topology: Topology) -> None:
    """nginx's default is `proxy_next_upstream error timeout`, which never repeats a POST; the
    configuration must not widen it to `non_idempotent`."""
    config = (topology.scratch / "shortscience.conf").read_text()
    assert "non_idempotent" not in config
    for directive in re.findall(r"proxy_next_upstream\s+([^;]*);", config):
        assert set(directive.split()) <= {"error", "timeout", "http_502", "http_503", "http_504"}


def test_a_killed_app_process_loses_no_acknowledged_write(
    topology: Topology, site: dict[str, list[int]]
) -> None:
    writers = signed_in_people(topology.url, [f"load{n:02d}" for n in range(1, WRITERS + 1)])
    readers = [Person(topology.url) for _ in range(READERS)]
    reading = threading.Event()
    reads: list[Answer] = []
    paper = site["papers"][0]

    def read(person: Person) -> None:
        while not reading.is_set():
            reads.append(person.get(f"/papers/{paper}/?r={len(reads)}"))

    threads = [threading.Thread(target=read, args=(p,)) for p in readers]
    for thread in threads:
        thread.start()
    try:
        result = run_writes(
            topology, writers, site["summaries"], WRITES, "gkill",
            fault=topology.children["gunicorn-0"].kill,
        )  # fmt: skip
    finally:
        reading.set()
        for thread in threads:
            thread.join()
    topology.start_app(0)
    failed_reads = [a.status for a in reads if a.status != 200]
    report(
        "gunicorn-kill",
        attempted=len(result.writes), acknowledged=len(result.acknowledged),
        found=sum(result.found.values()), lost=len(result.lost), doubled=len(result.doubled),
        write_statuses=result.statuses(), reads=len(reads), failed_reads=len(failed_reads),
    )  # fmt: skip
    assert result.lost == []
    assert result.doubled == []  # nginx never sent a POST to the second process too
    assert failed_reads == []  # a GET cut off by the kill was retried on the other process
