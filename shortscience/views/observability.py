"""One request, seen from outside: its id, its log line and its metrics.

The request id comes from the `X-Request-ID` header when a proxy or client sent a sane one
(letters, digits, `.`, `_`, `-`; at most 128) and is made here otherwise; it is echoed in the
response's `X-Request-ID` and carried by every log line logged during the request
(shortscience/logs.py). After the response, one line on the `shortscience.requests` logger says
method, path, route (the URL name), status, duration and the user id (when the request already
knew who it was: this never loads a session just to log it), and the metrics of
views/metrics.py count the request, its time and its database queries. Probes and scrapes are
logged at DEBUG so that a balancer polling every second does not drown the log.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils.functional import empty

from shortscience import logs
from shortscience.views import metrics

logger = logging.getLogger("shortscience.requests")

_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_QUIET_ROUTES = {"healthz", "readyz", "metrics"}


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _request_id(request: HttpRequest) -> str:
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    return incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex


def route_of(request: HttpRequest) -> str:
    """The URL name of the route that answered (or would have), never the raw path."""
    # Answered above URL resolution: the page caches resolved it already (views/pagecache.py).
    match = getattr(request, "resolver_match", None) or getattr(request, "_page_match", None)
    if match is None:
        # A probe, a static file, or a cached page whose route was not found.
        if request.path_info.startswith(settings.STATIC_URL):
            return "static"
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "unmatched"
    return match.view_name or "unnamed"


def _user_id(request: HttpRequest) -> int | None:
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:  # a lazy user nobody asked for: loading it would cost a query
        return None
    return getattr(wrapped, "pk", None)


class RequestObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = _request_id(request)
        token = logs.request_id.set(request_id)
        counter = _QueryCounter()
        started = time.perf_counter()
        try:
            with connection.execute_wrapper(counter):
                response = self.get_response(request)
            seconds = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            route = route_of(request)
            method = request.method or "GET"
            metrics.observe_request(route, method, response.status_code, seconds, counter.count)
            logger.log(
                logging.DEBUG if route in _QUIET_ROUTES else logging.INFO,
                "%s %s %s %.1fms",
                method,
                request.path,
                response.status_code,
                seconds * 1000,
                extra={
                    "user_id": _user_id(request),
                    "method": method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            return response
        finally:
            logs.request_id.reset(token)
