"""The one place the API turns failures into JSON: `{"code", "message", "fields"}`.

Domain errors keep their class name as the code (NotFound, PermissionDenied, InvalidInput,
Conflict, RateLimited, InvalidToken); ninja's own failures get the same shape: request
validation is a 422 `ValidationError` with one entry per bad field, a missing login a 401
`NotAuthenticated`. A 429 carries Retry-After. A service that is unavailable (the database, a
full disk, read-only media, the cache) is a 503 (507 for a full disk) with Retry-After, mapped
by views/errors.py like the pages' own.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shortscience.services.errors import DomainError
from shortscience.views.errors import unavailable, unavailable_response

CODES = {
    400: "InvalidInput",
    401: "NotAuthenticated",
    403: "PermissionDenied",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    422: "ValidationError",
    429: "RateLimited",
}


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


def error_body(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": fields or {}}, status=status)


# ninja types a handler's argument as "the exception or its class"; it passes an instance.
def domain_error(request: HttpRequest, exc: object) -> HttpResponse:
    assert isinstance(exc, DomainError)
    response = error_body(exc.status, type(exc).__name__, exc.message, exc.field_errors)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def validation_error(request: HttpRequest, exc: object) -> HttpResponse:
    assert isinstance(exc, ValidationError)
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "")))
    first = next(iter(fields.items()), ("request", ["is not valid"]))
    message = f"The request is not valid: {first[0]}: {first[1][0]}"
    return error_body(422, "ValidationError", message, fields)


def _field_name(loc: Any) -> str:
    """`("body", "payload", "markdown")` -> "markdown"; `("query", "limit")` -> "limit"."""
    parts = [str(part) for part in loc[1:]] if isinstance(loc, list | tuple) else [str(loc)]
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "request"


def http_error(request: HttpRequest, exc: object) -> HttpResponse:
    assert isinstance(exc, HttpError)
    status = exc.status_code
    if isinstance(exc, AuthenticationError):
        return error_body(401, "NotAuthenticated", "Sign in or send an API token.")
    return error_body(status, CODES.get(status, "Error"), exc.message)


def not_found(request: HttpRequest, exc: object) -> HttpResponse:
    return error_body(404, "NotFound", "There is no such API endpoint or object.")


@csrf_exempt  # a 404 whatever the method; the CSRF failure page would be HTML
def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any URL under /api/v1/ that no operation answers."""
    return error_body(404, "NotFound", f"There is no API endpoint at {request.path}.")


def service_unavailable(request: HttpRequest, exc: object) -> HttpResponse:
    """The database, disk or cache failed: 503 (507 for a full disk) with Retry-After, in the
    API's shape; any other exception goes on to Django's 500."""
    assert isinstance(exc, Exception)
    kind = unavailable(exc)
    if kind is None:
        raise exc
    return unavailable_response(request, exc, kind)


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(Exception, service_unavailable)
    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)


def documented(*statuses: int) -> dict[int, type[Schema]]:
    """Error responses to list in an operation's OpenAPI entry (those of every operation are
    added by `describe_common`)."""
    return dict.fromkeys(statuses, ErrorOut)


# What any operation may answer, whatever its own errors: a wrong bearer token, a request line
# over the front servers' limit (not JSON: gunicorn's or nginx's own page), a failing service.
COMMON = {
    "401": "A wrong, revoked or malformed bearer token (InvalidToken), or none where one is needed",
    "414": "The request line is over 8 KiB: answered by the front server (gunicorn, nginx) "
    "before the API, as a short HTML page (docs/api.md, Limits)",
    "503": "A service behind the site is briefly down, or its storage read-only "
    "(DatabaseUnavailable, CacheUnavailable, StorageReadOnly, StorageUnavailable): nothing was "
    "saved; try again after Retry-After",
}
# ... and what a write may also answer.
COMMON_WRITES = {
    "507": "The server's disk is full (StorageFull): nothing was saved; try after Retry-After",
}
VALIDATION = "The request does not match this document (ValidationError; `fields` says where)"
_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}


def describe_common(document: dict[str, Any]) -> None:
    """Add the answers of `COMMON` (and `COMMON_WRITES` for writes) to every operation that does
    not list them already, so that the document names every status the API can give."""
    for methods in document["paths"].values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            extra = COMMON if method == "get" else {**COMMON, **COMMON_WRITES}
            if operation.get("parameters") or operation.get("requestBody"):
                extra = {**extra, "422": VALIDATION}
            # django-ninja's own statuses are ints, ours strings: both are one key in JSON.
            listed = {str(status) for status in responses}
            for status, description in extra.items():
                if status in listed:
                    continue
                responses[status] = {"description": description}
                if status != "414":
                    responses[status]["content"] = _BODY
