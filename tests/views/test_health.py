"""/healthz and /readyz: JSON, never cached, exempt from host checks and redirects, and /readyz
answering 503 with the failing checks marked when the cache raises or the worker is silent."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from huey.contrib.djhuey import HUEY

from shortscience.services import health

# A Redis nobody listens on: every call fails at once with a connection error.
BROKEN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def worker_expected(monkeypatch):
    # Tests run tasks inline; these need the production answer: is a worker beating?
    monkeypatch.setattr(HUEY, "immediate", False)


def test_healthz_says_ok_without_touching_the_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"
    assert len(queries) == 0


def test_healthz_answers_a_balancer_that_probes_by_ip_over_plain_http(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["shortscience.example.org"]
    for path in ("/healthz", "/healthz/", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.5:8001")
        assert response.status_code == 200, path
    # Any other page still gets the host check.
    assert client.get("/about/", HTTP_HOST="10.0.0.5:8001").status_code == 400


def test_readyz_passes_every_check_and_says_tasks_run_inline(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "cache", "tasks"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert body["checks"]["tasks"]["mode"] == "immediate"
    assert "no-store" in response["Cache-Control"]


def test_readyz_costs_one_query_once_migrations_are_known_applied(client, db):
    client.get("/readyz")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/readyz").status_code == 200
    # Besides the probe itself, only PostgreSQL's statement timeout (and the test's savepoints).
    statements = [q["sql"] for q in queries]
    assert statements.count("SELECT 1") == 1
    assert all(
        sql == "SELECT 1" or "statement_timeout" in sql or "SAVEPOINT" in sql for sql in statements
    )


def test_readyz_answers_503_with_json_when_the_cache_raises(client, db, settings):
    settings.CACHES = BROKEN_CACHE
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["cache"]["status"] == "fail"
    assert body["checks"]["cache"]["error"]  # the exception's class, never its message
    assert body["checks"]["database"] == {"status": "ok"}


def test_readyz_calls_the_queue_stale_when_the_heartbeat_is_old(client, db, worker_expected):
    health.record_heartbeat(now=time.time() - 600)
    response = client.get("/readyz")
    assert response.status_code == 503
    tasks = response.json()["checks"]["tasks"]
    assert tasks["status"] == "stale"
    assert tasks["heartbeat_age_seconds"] >= 600


def test_readyz_calls_the_queue_stale_when_no_worker_ever_beat(client, db, worker_expected):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"] == {"status": "stale", "heartbeat_age_seconds": None}


def test_a_fresh_heartbeat_makes_the_queue_ready(client, db, worker_expected):
    from shortscience.tasks import heartbeat

    heartbeat.heartbeat_on_start()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["tasks"]["status"] == "ok"


def test_the_heartbeat_runs_every_minute_and_when_a_worker_starts():
    from datetime import datetime

    from shortscience.tasks import heartbeat

    task = heartbeat.heartbeat.s()
    assert all(task.validate_datetime(datetime(2024, 5, 6, 7, minute)) for minute in range(60))
    assert "heartbeat_on_start" in HUEY._startup


def test_unapplied_migrations_make_readyz_fail(db, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    assert health.check_migrations() == {"status": "fail", "unapplied": 1}
    monkeypatch.undo()
    assert health.check_migrations() == {"status": "ok"}
