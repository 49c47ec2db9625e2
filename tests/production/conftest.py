"""`make test-production`: one production topology for the whole run, the figures each scenario
prints, and the summary block at the end. Never collected by `make test` (pyproject's
norecursedirs); scripts/test-production.sh passes this folder explicitly."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from tests.production import topology as topo

FIGURES: dict[str, Any] = {}
SUMMARY_LINES = [
    ("requests through nginx", "nginx_requests"),
    ("writes attempted / acknowledged / found afterwards", "writes"),
    ("PostgreSQL restart recovery seconds", "pg_recovery"),
    ("signed-in sessions kept through a Redis outage", "sessions_kept"),
    ("longest page time while Redis hangs (s)", "longest_hung_page"),
    ("mails sent per notification after a worker kill", "mails_per_notification"),
    ("sessions engine (as docs/deploy.md sets it)", "session_engine"),
]


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns figures
    config.addinivalue_line("markers", "production: needs the topology of make test-production")
    config.addinivalue_line(
        "markers",
        "needs_faults: passes only with the application side of issue 10 (branch `faults`: "
        "503s with Retry-After, cached_db sessions, nothing raised after commit, mail sweep)",
    )


def report(scenario: str, **figures: Any) -> None:
    """Print a scenario's figures now and keep them for the summary block."""
    print(f"\n[{scenario}] " + ", ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
    FIGURES.setdefault("scenarios", {})[scenario] = figures


@pytest.fixture(scope="session")
def topology() -> Iterator[topo.Topology]:
    scratch = Path(os.environ.get("PRODUCTION_SCRATCH") or tempfile.mkdtemp(prefix="sstopo-"))
    running = topo.start(scratch)
    FIGURES["session_engine"] = running.env["SESSION_ENGINE"]
    try:
        yield running
    finally:
        FIGURES["nginx_requests"] = running.nginx_requests()
        running.stop()


@pytest.fixture(scope="session")
def site(topology: topo.Topology) -> dict[str, list[int]]:
    """Ids of the demo content the scenarios read and write under."""
    summaries = topology.postgres.query(
        "SELECT id FROM shortscience_summary WHERE status = 'published' AND visibility = 'public' "
        "AND NOT is_hidden ORDER BY id"
    )
    papers = topology.postgres.query("SELECT id FROM shortscience_paper ORDER BY id")
    # Both queries select an integer id column.
    return {
        "summaries": [cast(int, r[0]) for r in summaries],
        "papers": [cast(int, r[0]) for r in papers],
    }


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    write = terminalreporter.write_line
    terminalreporter.section("production topology: figures")
    for label, key in SUMMARY_LINES:
        write(f"{label:58} {FIGURES.get(key, 'not measured')}")
    for scenario, figures in FIGURES.get("scenarios", {}).items():
        write(f"  {scenario}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
