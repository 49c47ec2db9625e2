"""Domain errors raised by services; shortscience.views.errors maps them to HTTP responses."""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class InvalidInput(DomainError):
    status = 400


class Conflict(DomainError):
    status = 409


class RateLimited(DomainError):
    """Too many of something for now: the answer carries Retry-After: `retry_after` seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
