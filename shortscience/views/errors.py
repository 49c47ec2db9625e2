"""The one place that turns domain errors into HTTP responses (an HTML page, or a fragment for
htmx and JSON for fetch callers)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from shortscience.services.errors import DomainError


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(
            {"code": type(error).__name__, "message": error.message, "fields": error.field_errors},
            status=error.status,
        )
    template = "errors/_inline.html" if getattr(request, "htmx", False) else "errors/error.html"
    return render(request, template, {"error": error}, status=error.status)


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return error_response(request, exception)
        return None
