"""The one shared outbound HTTP client for metadata sources, with raw responses kept in the
database (RawResponse) so a paper looked up once never waits on arXiv or Crossref again and
still resolves while they are down."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

from django.conf import settings
from django.utils import timezone

from shortscience.metadata.http import Fetcher, FetchFn
from shortscience.models import RawResponse

_lock = threading.Lock()
_shared: Fetcher | None = None


class DatabaseCache:
    """metadata.http.BodyCache backed by the RawResponse table."""

    def get(self, key: str) -> tuple[bytes, float] | None:
        row = RawResponse.objects.filter(key=_digest(key)).only("body", "fetched_at").first()
        if row is None:
            return None
        return bytes(row.body), row.fetched_at.timestamp()

    def set(self, key: str, body: bytes) -> None:
        RawResponse.objects.update_or_create(
            key=_digest(key), defaults={"url": key, "body": body, "fetched_at": timezone.now()}
        )


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def fetcher() -> FetchFn:
    """The process-wide Fetcher (one connection pool, one rate limiter per host)."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = Fetcher(
                settings.METADATA_CONTACT_EMAIL,
                cache=DatabaseCache(),
                max_age=dt.timedelta(days=settings.METADATA_CACHE_DAYS).total_seconds(),
            )
        return _shared


def within(seconds: float) -> FetchFn:
    """The shared fetcher with every call ending within `seconds` from now (the add page)."""
    shared = fetcher()
    return shared.within(seconds) if isinstance(shared, Fetcher) else shared
