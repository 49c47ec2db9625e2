"""/metrics: Prometheus figures by route name, shown to loopback or a bearer token only, and added
up across processes in multiprocess mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from tests.factories import make_paper

ROOT = Path(__file__).resolve().parent.parent.parent


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_loopback_may_read_the_metrics(client, db):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"shortscience_task_queue_depth" in response.content
    assert b"shortscience_task_heartbeat_age_seconds" in response.content


def test_other_addresses_get_404(client, db):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_a_visitor_relayed_by_a_proxy_on_loopback_gets_404(client, db):
    response = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9, 127.0.0.1")
    assert response.status_code == 200  # the last hop (the proxy's view) was loopback
    response = client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.9")
    assert response.status_code == 404


def test_a_bearer_token_opens_the_metrics_from_anywhere(client, db, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    far = {"REMOTE_ADDR": "203.0.113.9"}
    assert (
        client.get("/metrics", **far, HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    )
    assert client.get("/metrics", **far, HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", **far).status_code == 404


def test_an_allow_list_of_networks_replaces_loopback(client, db, settings):
    settings.METRICS_ALLOW = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics").status_code == 404


def test_requests_are_counted_by_route_name_never_by_path(client, db):
    paper = make_paper()
    before = sample("shortscience_http_requests_total", route="paper", method="GET", status="200")
    assert client.get(f"/papers/{paper.pk}/").status_code == 200
    after = sample("shortscience_http_requests_total", route="paper", method="GET", status="200")
    assert after == before + 1
    body = client.get("/metrics").content.decode()
    assert f"/papers/{paper.pk}/" not in body
    assert 'shortscience_http_request_duration_seconds_count{method="GET",route="paper"}' in body
    assert 'shortscience_db_queries_per_request_count{route="paper"}' in body


def test_unknown_paths_share_one_route_label(client, db):
    before = sample(
        "shortscience_http_requests_total", route="unmatched", method="GET", status="404"
    )
    client.get("/no-such-page-8f3a/")
    client.get("/another-missing-page/")
    after = sample(
        "shortscience_http_requests_total", route="unmatched", method="GET", status="404"
    )
    assert after == before + 2


def test_database_queries_are_counted_per_request(client, db):
    make_paper()
    before = sample("shortscience_db_queries_per_request_sum", route="home")
    client.get("/")
    assert sample("shortscience_db_queries_per_request_sum", route="home") > before


def test_the_page_cache_reports_misses_hits_and_304s(client, db):
    def counts() -> tuple[float, ...]:
        return tuple(
            sample("shortscience_page_cache_requests_total", result=result)
            for result in ("miss", "hit", "not_modified")
        )

    miss, hit, not_modified = counts()
    first = client.get("/about/")
    client.get("/about/")
    client.get("/about/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert counts() == (miss + 1, hit + 1, not_modified + 1)


def test_figures_of_several_processes_are_added_up(client, db, settings, tmp_path):
    # Two processes, as two gunicorn workers would, each count one request into the directory.
    code = (
        "import django; django.setup()\n"
        "from shortscience.views import metrics\n"
        "metrics.observe_request('about', 'GET', 200, 0.02, 3)\n"
        "metrics.page_cache('hit')\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        done = subprocess.run(  # noqa: S603 -- our own interpreter, our own snippet
            [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    body = client.get("/metrics").content.decode()
    assert 'shortscience_http_requests_total{method="GET",route="about",status="200"} 2.0' in body
    assert 'shortscience_page_cache_requests_total{result="hit"} 2.0' in body
    assert "shortscience_task_queue_depth" in body


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_probes_and_scrapes_are_counted_under_their_own_names(client, db, path):
    route = path.strip("/")
    before = sample("shortscience_http_requests_total", route=route, method="GET", status="200")
    client.get(path)
    after = sample("shortscience_http_requests_total", route=route, method="GET", status="200")
    assert after == before + 1
