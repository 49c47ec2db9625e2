"""`/healthz` (liveness) and `/readyz` (readiness), for load balancers, containers and monitors.

`/healthz` says only that this process answers HTTP: no database, no cache, so a database outage
never makes an orchestrator kill healthy app processes. `/readyz` runs the checks of
services/health.py and answers 200 when all pass, 503 with the failing entries marked otherwise.
Both are JSON, never cached (`Cache-Control: no-store`), and are answered by `ProbeMiddleware`,
near the top of the stack, before the host check (a balancer probes by IP address), the HTTPS
redirect and the slash redirect; the URL routes exist too so that they resolve by name.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, JsonResponse

from shortscience.services import health


def _probe(body: dict[str, object], status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    return _probe({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    ready, checks = health.readiness()
    return _probe({"status": "ok" if ready else "fail", "checks": checks}, 200 if ready else 503)


PROBES: dict[str, Callable[[HttpRequest], JsonResponse]] = {
    "/healthz": healthz,
    "/healthz/": healthz,
    "/readyz": readyz,
    "/readyz/": readyz,
}


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
