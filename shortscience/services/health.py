"""Whether this process can serve: the checks behind `/readyz`, and the task worker's heartbeat.

Each check costs a bounded, tiny amount of work (one `SELECT 1` under a short statement timeout,
one cache write and read bounded by the cache's socket timeout, one cache read for the heartbeat)
and reports a plain dict, so the view only has to turn them into JSON. The migrations check
reads the migration graph until it first finds nothing left to apply, then remembers that for
the life of the process: migrations are applied before a release starts, never taken back.

The worker (`run_huey`) writes a heartbeat into the cache once a minute and when it starts
(`shortscience/tasks/heartbeat.py`); a heartbeat older than `TASKS_HEARTBEAT_STALE_SECONDS`
means queued mail is not being sent. When tasks run inside the request (`TASKS_IMMEDIATE`,
tests) there is no worker to wait for, and the check says so and passes.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from huey.contrib.djhuey import HUEY

HEARTBEAT_KEY = "tasks:heartbeat"
# Longer than any staleness threshold, so "stale" and "never seen" stay distinguishable.
_HEARTBEAT_KEPT_SECONDS = 7 * 24 * 3600
_STATEMENT_TIMEOUT_MS = 2000

Check = dict[str, Any]

_migrations_applied = False


def _failed(error: BaseException) -> Check:
    # The class name only: a message may carry host names or credentials, and /readyz is public.
    return {"status": "fail", "error": type(error).__name__}


def check_database() -> Check:
    try:
        if connection.vendor == "postgresql":
            # SET LOCAL needs a transaction; on SQLite one would take the write lock
            # (transaction_mode IMMEDIATE), and SELECT 1 there cannot wait on anything.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {_STATEMENT_TIMEOUT_MS}")
                cursor.execute("SELECT 1")
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    except Exception as error:  # any failure means "not ready", reported as such
        return _failed(error)
    return {"status": "ok"}


def check_migrations() -> Check:
    global _migrations_applied  # a per-process memo: true once, never reset
    if _migrations_applied:
        return {"status": "ok"}
    try:
        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # an unreadable history is "not ready" too
        return _failed(error)
    if unapplied:
        return {"status": "fail", "unapplied": len(unapplied)}
    _migrations_applied = True
    return {"status": "ok"}


def check_cache() -> Check:
    cache = caches["default"]
    key = f"health:probe:{secrets.token_hex(4)}"
    token = secrets.token_hex(8)
    try:
        cache.set(key, token, 30)
        seen = cache.get(key)
        cache.delete(key)
    except Exception as error:  # a cache that raises is a failing check
        return _failed(error)
    if seen != token:
        return {"status": "fail", "error": "value not read back"}
    return {"status": "ok"}


def record_heartbeat(now: float | None = None) -> None:
    """Called by the worker: proof that it is alive and reading the queue."""
    caches["default"].set(
        HEARTBEAT_KEY, time.time() if now is None else now, _HEARTBEAT_KEPT_SECONDS
    )


def heartbeat_age() -> float | None:
    """Seconds since the worker's last heartbeat, or None when none was ever recorded."""
    beat = caches["default"].get(HEARTBEAT_KEY)
    return None if beat is None else max(0.0, time.time() - float(beat))


def check_tasks() -> Check:
    if HUEY.immediate:
        return {"status": "ok", "mode": "immediate"}
    try:
        age = heartbeat_age()
    except Exception as error:  # the heartbeat lives in the cache
        return _failed(error)
    if age is None:
        return {"status": "stale", "heartbeat_age_seconds": None}
    status = "ok" if age <= settings.TASKS_HEARTBEAT_STALE_SECONDS else "stale"
    return {"status": status, "heartbeat_age_seconds": round(age, 1)}


def queue_depth() -> int | None:
    """Tasks waiting for the worker, or None when the queue cannot be read."""
    try:
        return int(HUEY.pending_count())
    except Exception:  # metrics report what they can; /readyz reports the rest
        return None


def readiness() -> tuple[bool, dict[str, Check]]:
    checks = {
        "database": check_database(),
        "migrations": check_migrations(),
        "cache": check_cache(),
        "tasks": check_tasks(),
    }
    return all(check["status"] == "ok" for check in checks.values()), checks
