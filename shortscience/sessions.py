"""The session engine: Django's `cached_db` (sessions in the database, read through the cache),
which can be handed the session it would read from the cache.

A signed-in page answered from its shared copy (views/pagecache.py) needs the session and the
versions of the page's tags, both in the cache; it fetches them in one round trip and gives the
session here, instead of the session store fetching it on its own (one round trip less on every
such request). Everything else is `cached_db`'s: when the cache had no copy, `load()` reads the
database and fills the cache as before.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore


class SessionStore(CachedDBStore):
    _fetched: dict[str, Any] | None = None

    def use_fetched(self, data: dict[str, Any]) -> None:
        """The session's data, just read from the cache under `self.cache_key`."""
        self._fetched = data

    def load(self) -> dict[str, Any]:
        data, self._fetched = self._fetched, None
        if data is not None:
            return data
        loaded: dict[str, Any] = super().load()
        return loaded
