"""What every log line carries: the request it belongs to.

The request middleware (views/observability.py) puts the request id in a context variable for
the length of a request; `RequestContextFilter`, attached to the console handler by `LOGGING`
in settings.py, copies it onto every record, so a line logged deep inside a service can be
matched to the request log line and to the `X-Request-ID` the client saw. Outside a request
(commands, the task worker) the field is empty. This module imports nothing from Django: the
logging configuration loads it before the apps are ready.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# The fields the request log line adds (views/observability.py) are keys of their own in the
# JSON format; the text format's message already says method, path, status and time, and these
# follow it.
TEXT_FIELDS = ("route", "user_id", "request_id")


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """Human-readable lines: time, level, logger, message, then the request's route, user, id."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        fields = [
            f"{name}={getattr(record, name)}"
            for name in TEXT_FIELDS
            if getattr(record, name, None) is not None
        ]
        return f"{line} [{' '.join(fields)}]" if fields else line
