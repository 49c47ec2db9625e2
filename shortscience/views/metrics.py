"""Prometheus metrics: what is counted, and `/metrics`, which shows it to the allowed only.

Requests are counted and timed by route, the URL's name (`paper`, `summary`, `feed-recent-atom`),
never the raw path, so the number of series stays fixed whatever the data; database queries are
counted per request; the anonymous page cache reports hits, misses and 304s (views/pagecache.py);
the task queue's depth and the worker's heartbeat age are read when Prometheus scrapes.

gunicorn runs several worker processes; with `PROMETHEUS_MULTIPROC_DIR` set (the `serve` command
sets it, docs/deploy.md says how for systemd) prometheus_client keeps each process's figures in
files there and `/metrics` adds them up, so any worker answers for all. Access: a bearer token
(`METRICS_TOKEN`) or an address in `METRICS_ALLOW` (loopback by default); anyone else gets 404.
Why prometheus-client and not django-prometheus: docs/decisions/0011-observability.md.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from shortscience.services import health

REQUESTS = Counter(
    "shortscience_http_requests",
    "HTTP requests answered, by route (URL name), method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "shortscience_http_request_duration_seconds",
    "Time from the first middleware to the response, by route and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
QUERIES = Histogram(
    "shortscience_db_queries_per_request",
    "Database queries one request ran, by route.",
    ["route"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89),
)
PAGE_CACHE = Counter(
    "shortscience_page_cache_requests",
    "Anonymous page-cache lookups: hit (served stored bytes), not_modified (304), miss (rendered).",
    ["result"],
)

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def observe_request(route: str, method: str, status: int, seconds: float, queries: int) -> None:
    method = method if method in _METHODS else "other"
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method).observe(seconds)
    QUERIES.labels(route).observe(queries)


def page_cache(result: str) -> None:
    PAGE_CACHE.labels(result).inc()


class TaskQueueCollector(Collector):
    """Read at scrape time: one queue length and one cache read, whatever the traffic."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = health.queue_depth()
        yield GaugeMetricFamily(
            "shortscience_task_queue_depth",
            "Tasks waiting for the worker (NaN when the queue cannot be read).",
            value=math.nan if depth is None else depth,
        )
        try:
            age = health.heartbeat_age()
        except Exception:  # the heartbeat lives in the cache; an absent one is NaN
            age = None
        yield GaugeMetricFamily(
            "shortscience_task_heartbeat_age_seconds",
            "Seconds since the task worker's last heartbeat (NaN when none was seen).",
            value=math.nan if age is None else age,
        )


def _allowed_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOW)


def allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token and hmac.compare_digest(
        request.META.get("HTTP_AUTHORIZATION", "").encode(), f"Bearer {token}".encode()
    ):
        return True
    # Through a proxy on an allowed address (nginx on loopback), the address the proxy saw is
    # the last X-Forwarded-For entry, and it must be allowed too: otherwise every visitor
    # would come "from loopback".
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    return _allowed_address(request.META.get("REMOTE_ADDR", "")) and (
        forwarded is None or _allowed_address(forwarded.rsplit(",", 1)[-1])
    )


def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404
    registry = CollectorRegistry()
    if settings.PROMETHEUS_MULTIPROC_DIR:
        path = settings.PROMETHEUS_MULTIPROC_DIR
        MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]  # unannotated
    else:
        registry.register(_ThisProcess())
    registry.register(TaskQueueCollector())
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


class _ThisProcess(Collector):
    """This process's own figures (one process: `manage.py runserver`, tests)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()
