"""The one place that turns domain errors into HTTP responses (an HTML page, or a fragment for
htmx and JSON for fetch callers)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from shortscience.services.errors import DomainError


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    response = _error_body(request, error)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _error_body(request: HttpRequest, error: DomainError) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(
            {"code": type(error).__name__, "message": error.message, "fields": error.field_errors},
            status=error.status,
        )
    if getattr(request, "htmx", False):
        response = render(request, "errors/_inline.html", {"error": error}, status=error.status)
        response["HX-Retarget"] = "#htmx-errors"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "errors/error.html", {"error": error}, status=error.status)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 page: shows the message a view wrote, never Django's resolver internals."""
    message = ""
    if isinstance(exception, Http404) and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    if request.path.startswith("/api/") or wants_json(request):
        # API clients get the API's error body even for URLs no route matches.
        return JsonResponse(
            {"code": "NotFound", "message": message or "No such resource.", "fields": {}},
            status=404,
        )
    return render(request, "404.html", {"message": message}, status=404)


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return error_response(request, exception)
        return None
