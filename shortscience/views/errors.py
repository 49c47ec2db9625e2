"""The one place that turns errors into HTTP responses: domain errors (an HTML page, or a
fragment for htmx and JSON for fetch callers), and a service that is unavailable (the database
down or restarting, a full disk, read-only media, the cache or queue down): 503, or 507 for a
full disk, with Retry-After and a message that says the change was not saved, as JSON for the
API, htmx and `Accept: application/json`, and as errors/503.html otherwise
(docs/decisions/0015-degraded-services.md). views/api/errors.py calls `unavailable_response`
for the API; `server_error` (handler500) catches what escapes the views' middleware."""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import format_html

from shortscience.services.errors import DomainError

logger = logging.getLogger(__name__)


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


# --- A service that is unavailable -------------------------------------------------------------


@dataclass(frozen=True)
class Unavailable:
    status: int
    code: str
    retry_after: int
    cause: str


DATABASE = Unavailable(503, "DatabaseUnavailable", 5, "the database is briefly unavailable")
DISK_FULL = Unavailable(507, "StorageFull", 60, "the server's disk is full")
READ_ONLY = Unavailable(503, "StorageReadOnly", 60, "the server's storage is read-only")
CACHE = Unavailable(503, "CacheUnavailable", 5, "a service the site needs is briefly unavailable")
OBJECT_STORAGE = Unavailable(
    503, "StorageUnavailable", 30, "the storage for uploads is briefly unavailable"
)

_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
# PostgreSQL SQLSTATEs that mean "not now" rather than "not so": read-only transaction (a
# standby), insufficient resources, operator intervention (shutdown, restart), connection lost.
_UNAVAILABLE_SQLSTATES = ("25006", "53", "57P", "08")
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def unavailable(exc: BaseException) -> Unavailable | None:
    """What an exception says about the services behind the site, or None for a plain bug."""
    for error in _chain(exc):
        if isinstance(error, OSError) and error.errno in _DISK_FULL_ERRNOS:
            return DISK_FULL
        if isinstance(error, OSError) and error.errno in _READ_ONLY_ERRNOS:
            return READ_ONLY
        if "database or disk is full" in str(error):  # SQLite's SQLITE_FULL
            return DISK_FULL
        sqlstate = str(getattr(error, "sqlstate", "") or "")
        if sqlstate == "53100":  # disk_full
            return DISK_FULL
        if sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
            return DATABASE
    for error in _chain(exc):
        if isinstance(error, OperationalError | InterfaceError):
            return DATABASE
        if type(error).__module__.startswith("redis."):  # the cache or task queue client
            return CACHE
        if _object_storage_down(error):
            return OBJECT_STORAGE
    return None


# botocore's errors for a storage that cannot be reached or timed out (MEDIA_STORAGE on S3).
_UNREACHABLE = {
    "EndpointConnectionError",
    "ConnectionClosedError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ProxyConnectionError",
    "HTTPClientError",
}


def _object_storage_down(error: BaseException) -> bool:
    """An S3-compatible media storage that is down, hung or answering 5xx (SlowDown, ...);
    an answer such as AccessDenied or NoSuchBucket is a configuration error, a 500."""
    if not type(error).__module__.startswith("botocore."):
        return False
    if type(error).__name__ in _UNREACHABLE:
        return True
    response = getattr(error, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)) >= 500


def _unavailable_message(request: HttpRequest, kind: Unavailable) -> str:
    cause = kind.cause[0].upper() + kind.cause[1:]
    if request.method in _WRITES:
        return f"{cause}: your change was NOT saved. Try again in {kind.retry_after} seconds."
    return f"{cause}, so this page cannot be shown. Try again in {kind.retry_after} seconds."


def _wants_json_body(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or wants_json(request)


def unavailable_response(
    request: HttpRequest, exc: BaseException, kind: Unavailable
) -> HttpResponse:
    """The refusal, logged with its cause; rendered without the database or the session (they
    may be what failed), so the HTML page is a template of its own, not base.html."""
    logger.error(
        "%s %s refused with %s (%s): %s: %s",
        request.method,
        request.path,
        kind.status,
        kind.code,
        type(exc).__name__,
        exc,
    )
    message = _unavailable_message(request, kind)
    response: HttpResponse
    if _wants_json_body(request):
        response = JsonResponse(
            {"code": kind.code, "message": message, "fields": {}}, status=kind.status
        )
    elif "HTTP_HX_REQUEST" in request.META:
        # Shown where htmx shows every refusal (base.html swaps 503 and 507 answers there).
        response = HttpResponse(
            format_html('<p class="error" role="alert">{}</p>', message), status=kind.status
        )
        response["HX-Retarget"] = "#htmx-errors"
        response["HX-Reswap"] = "innerHTML"
    else:
        html = render_to_string("errors/503.html", {"message": message, "status": kind.status})
        response = HttpResponse(html, status=kind.status)
    response["Retry-After"] = str(kind.retry_after)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an unavailable service that surfaced outside a view (a middleware saving the
    session) still gets its 503; anything else is the plain 500 page."""
    exc = sys.exc_info()[1]
    kind = unavailable(exc) if exc is not None else None
    if exc is not None and kind is not None:
        return unavailable_response(request, exc, kind)
    return HttpResponse(render_to_string("500.html"), status=500)


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return error_response(request, exception)
        kind = unavailable(exception)
        if kind is not None:
            return unavailable_response(request, exception, kind)
        return None
