"""A WSGI app for the gunicorn test in tests/services/test_ratelimits.py: each request is one
`commenting` check by one person from one address, answered 200 when admitted and 429 when not,
so several gunicorn workers count against one limit with nothing else in the way."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import django

django.setup()

from shortscience.services import ratelimits  # noqa: E402 -- needs the django.setup() above


def application(
    environ: dict[str, Any], start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> Iterable[bytes]:
    try:
        ratelimits.check("commenting", ip="203.0.113.5", user_id=7)
    except ratelimits.RateLimited:
        start_response("429 Too Many Requests", [("Content-Type", "text/plain")])
        return [b"refused"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"admitted"]
