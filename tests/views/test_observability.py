"""Request ids, the request log line, JSON logs and the task worker's log lines (each once)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from shortscience import logs
from tests.factories import make_paper, make_user

ROOT = Path(__file__).resolve().parent.parent.parent


def test_a_sane_incoming_request_id_is_echoed(client, db):
    response = client.get("/about/", HTTP_X_REQUEST_ID="edge-4f2a.9_b")
    assert response["X-Request-ID"] == "edge-4f2a.9_b"


def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client, db):
    made = client.get("/about/")["X-Request-ID"]
    odd = client.get("/about/", HTTP_X_REQUEST_ID="x" * 500)["X-Request-ID"]
    assert len(made) == 32 and len(odd) == 32 and made != odd


def test_the_request_log_line_says_route_status_duration_and_user(client_for, db, caplog):
    person = make_user()
    paper = make_paper()
    with caplog.at_level(logging.INFO, logger="shortscience.requests"):
        response = client_for(person).get(f"/papers/{paper.pk}/", HTTP_X_REQUEST_ID="r-1")
    [line] = [r for r in caplog.records if r.name == "shortscience.requests"]
    assert line.route == "paper"
    assert line.status == response.status_code == 200
    assert line.method == "GET"
    assert line.user_id == person.pk
    assert line.duration_ms >= 0
    assert line.getMessage().startswith(f"GET /papers/{paper.pk}/ 200 ")


def test_an_anonymous_cached_page_logs_no_user_and_loads_no_session(client, db, caplog):
    client.get("/about/")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="shortscience.requests"):
        client.get("/about/")
    [line] = [r for r in caplog.records if r.name == "shortscience.requests"]
    assert line.route == "about" and line.user_id is None


def test_probes_are_logged_at_debug_only(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="shortscience.requests"):
        client.get("/healthz")
    assert not [r for r in caplog.records if r.name == "shortscience.requests"]


def test_every_line_logged_during_a_request_carries_its_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    token = logs.request_id.set("abc")
    try:
        logs.RequestContextFilter().filter(record)
    finally:
        logs.request_id.reset(token)
    assert record.request_id == "abc"  # type: ignore[attr-defined]  # the filter adds it
    text = logs.TextFormatter().format(record)
    assert text.endswith("INFO x: hello [request_id=abc]")


def run_python(code: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shortscience.settings", **extra}
    return subprocess.run(  # noqa: S603 -- our own interpreter running our own snippet
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )


def test_log_format_json_gives_one_json_object_a_line():
    code = (
        "import django, logging; django.setup()\n"
        "from django.test import Client\n"
        "Client().get('/healthz', HTTP_X_REQUEST_ID='probe-7')\n"
        "logging.getLogger('shortscience.demo').warning('outside a request')\n"
    )
    # Python warnings (whitenoise: no collected static files here) are not log lines.
    done = run_python(code, LOG_FORMAT="json", LOG_LEVEL="DEBUG", PYTHONWARNINGS="ignore")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    [request] = [line for line in lines if line["logger"] == "shortscience.requests"]
    assert request["request_id"] == "probe-7"
    assert request["route"] == "healthz"
    assert request["status"] == 200
    assert request["method"] == "GET"
    assert request["user_id"] is None
    assert isinstance(request["duration_ms"], float)
    assert request["level"] == "DEBUG"
    assert request["time"].startswith("20")
    [outside] = [line for line in lines if line["logger"] == "shortscience.demo"]
    assert outside["message"] == "outside a request"
    assert outside["request_id"] is None


def test_an_unknown_log_format_is_refused():
    done = run_python("import django; django.setup()", LOG_FORMAT="xml")
    assert done.returncode != 0
    assert "LOG_FORMAT must be 'text' or 'json'" in done.stderr


def test_one_task_run_prints_each_worker_line_once(tmp_path):
    env = {
        "TASKS_URL": f"sqlite:///{tmp_path / 'tasks.sqlite3'}",
        "TASKS_IMMEDIATE": "0",
        "DATA_DIR": str(tmp_path),
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "INFO",
    }
    queued = run_python(
        "import django; django.setup()\n"
        "from shortscience.tasks import heartbeat\n"
        "heartbeat.heartbeat()\n",
        **env,
    )
    assert queued.returncode == 0, queued.stderr
    output: list[str] = []
    with subprocess.Popen(  # leaving the block closes the worker's pipe
        [sys.executable, "-m", "shortscience.manage", "run_huey", "-w", "1", "--no-periodic"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shortscience.settings", **env},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as worker:
        stdout = worker.stdout
        assert stdout is not None  # stdout=PIPE
        reader = threading.Thread(target=lambda: output.extend(stdout), daemon=True)
        reader.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("executed in" in o for o in output):
            time.sleep(0.1)
        worker.terminate()
        worker.wait(timeout=15)
        reader.join(timeout=5)
    ran = [line for line in output if "shortscience.tasks.heartbeat.heartbeat" in line]
    assert len([line for line in ran if "Executing" in line]) == 1, output
    assert len([line for line in ran if "executed in" in line]) == 1, output
