"""Whole pages cached for readers who are not signed in, kept right by versioned tags.

A cached page is stored under a key made of its URL and the current version of every tag it
depends on: `site` (everything), `lists` (every page that lists summaries or people: home,
venues, search, feeds, the users list), and one tag per paper, summary and person whose page it
is. A write never deletes a page; it bumps the versions of the tags it changed
(`services/events.py` names them for every write), so the next request computes a new key, misses,
and renders afresh. Old entries simply expire.

Which pages are cached, and on which tags each depends, is declared once in `PAGES` (by URL name).
The view layer's middleware (`views/pagecache.py`) does the HTTP side: eligibility, ETag and 304,
gzip, and the `X-Accel-Expires` header that lets nginx's micro-cache serve a page without Python.

Versions are bumped when the write happens and again when its transaction commits: a reader that
rendered between the two (seeing the old rows) stored its page under a version that is already
gone. A version missing from the cache (evicted, or never written) is created, never read as a
default, so an evicted version can never bring back a page stored under an older one.

A bump never fails the write it follows. One that does not reach the cache (Redis down or hung,
a full disk under the file cache) is logged and remembered in this process, which bumps `site`
at its next contact with the cache: pages stored before the outage may still be there when the
cache comes back, and are never served again (while the cache fails nothing is read from it).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

SITE = "site"
LISTS = "lists"

# Beyond this many tags in one write (a bulk import, a merge of many papers), bumping `site` is
# cheaper than bumping each and says the same thing.
MAX_TAGS_PER_WRITE = 200


def paper(paper_id: int | str) -> str:
    return f"paper:{paper_id}"


def summary(summary_id: int | str) -> str:
    return f"summary:{summary_id}"


def person(username: str) -> str:
    # Person pages are addressed by username (URLs never carry a person's id).
    return f"user:{username.lower()}"


TagsOf = Callable[[Mapping[str, Any]], tuple[str, ...]]


def _none(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    return ()


def _lists(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    return (LISTS,)


def _paper(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    return (paper(kwargs["paper_id"]),)


def _summary(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    return (summary(kwargs["summary_id"]),)


def _person(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    return (person(kwargs["username"]),)


#: View name (namespace:name) -> the tags its page depends on besides `site`. A page not named
#: here is never cached.
PAGES: dict[str, TagsOf] = {
    "home": _lists,
    "about": _none,
    "paper": _paper,
    # Issue 14: sharing and citation (the paper's citation as a file)
    "paper-cite-bib": _paper,
    "paper-cite-txt": _paper,
    "summary": _summary,
    # Issue 14: the pages as Markdown (services/markdown_pages.py)
    "paper-markdown": _paper,
    "summary-markdown": _summary,
    "search": _lists,
    "users": _lists,
    "user": _person,
    "venues": _lists,
    "venue": _lists,
    "wanted": _lists,
    "new-papers-index": _lists,  # Issue 14: new papers by arXiv category
    "new-papers": _lists,
    "feed-recent-atom": _lists,
    "feed-recent-rss": _lists,
    "feed-paper-atom": _paper,
    "feed-paper-rss": _paper,
    "feed-user-atom": _person,
    "feed-user-rss": _person,
    "feed-venue-atom": _lists,
    "feed-venue-rss": _lists,
    "feed-search-atom": _lists,
    "feed-search-rss": _lists,
    "rss-legacy": _lists,
    "rss-legacy-all": _lists,
    "rss-legacy-full": _lists,
    "sitemap": _lists,
    "django.contrib.sitemaps.views.sitemap": _lists,
    # The API's reads, for callers without a token (a token's answers are its own).
    "api-v1:summary_list": _lists,
    "api-v1:activity": _lists,
    "api-v1:summary": _summary,
    "api-v1:paper": _paper,
    "api-v1:paper_summaries": _paper,
    "api-v1:comment_list": _summary,
    "api-v1:user": _person,
    "api-v1:user_summaries": _person,
    "api-v1:venue": _lists,
    "api-v1:venue_list": _lists,
    "api-v1:search": _lists,
}


#: Pages that are the same for everyone, signed in or not (they show public content only and no
#: account): shared even with readers who carry a session. The Markdown twins are documents
#: without a header or account (services/markdown_pages.py).
FOR_EVERYONE = frozenset(
    name
    for name in PAGES
    if name.startswith(("feed-", "rss-", "sitemap", "django.contrib.sitemaps"))
    or name in ("paper-markdown", "summary-markdown")
)


def shared_with_everyone(view_name: str | None) -> bool:
    return view_name in FOR_EVERYONE


def _cache() -> Any:
    return caches[settings.PAGE_CACHE_ALIAS]


_PLAIN_TAG = re.compile(r"[a-z0-9:._-]{1,80}")


def _version_key(tag: str) -> str:
    # A username may hold characters no cache key may (memcached's rules); hash those.
    if _PLAIN_TAG.fullmatch(tag):
        return f"pv:{tag}"
    return "pv:h:" + hashlib.sha256(tag.encode()).hexdigest()[:32]


def tags_for(view_name: str | None, kwargs: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The tags of a cacheable page, `site` first, or None when the page is never cached."""
    tags_of = PAGES.get(view_name or "")
    if tags_of is None:
        return None
    return (SITE, *tags_of(kwargs))


def versions(tags: Iterable[str]) -> tuple[str, ...]:
    """The current version of each tag, in one cache round trip (two when one is new)."""
    return versions_and(tags, ())[0]


def versions_and(
    tags: Iterable[str], other_keys: Iterable[str]
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """`versions(tags)`, and whatever the cache holds under `other_keys`, in the same round
    trip (a signed-in page's session: views/pagecache.py)."""
    _settle_lost_bump()
    wanted = [_version_key(tag) for tag in tags]
    others = list(other_keys)
    cache = _cache()
    found = cache.get_many([*wanted, *others])
    for key in wanted:
        if key not in found:
            cache.add(key, _new_version(), timeout=None)
            found[key] = cache.get(key) or _new_version()
    return tuple(str(found[key]) for key in wanted), {k: found[k] for k in others if k in found}


def _new_version() -> str:
    return f"{time.time_ns():x}{secrets.token_hex(4)}"


# Set when a bump did not reach the cache; cleared by the next bump of `site` that does.
_lost_bump = threading.Event()


def _bump(tags: frozenset[str]) -> None:
    try:
        failed = _cache().set_many(
            {_version_key(tag): _new_version() for tag in tags}, timeout=None
        )
    except Exception as error:  # any backend's failure: the write it follows stands
        logger.warning(
            "Page-cache bump of %s failed (%s: %s)", sorted(tags), type(error).__name__, error
        )
        failed = list(tags)
    if failed:
        if not _lost_bump.is_set():
            logger.warning("Page-cache bump lost; `site` is bumped when the cache answers again")
        _lost_bump.set()


def _settle_lost_bump() -> None:
    if _lost_bump.is_set():
        _lost_bump.clear()
        _bump(frozenset({SITE}))  # sets it again if the cache still fails


def touch(*tags: str) -> None:
    """These pages changed: bump their tags now and again once the write commits."""
    if not settings.PAGE_CACHE_ENABLED or not tags:
        return
    _settle_lost_bump()
    bumped = frozenset(tags) if len(tags) <= MAX_TAGS_PER_WRITE else frozenset({SITE})
    _bump(bumped)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(bumped), robust=True)


def touch_everything() -> None:
    touch(SITE)


# --- Stored pages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPage:
    """A rendered response as the cache keeps it: body (plain and gzipped) and its headers."""

    body: bytes
    gzipped: bytes | None
    headers: tuple[tuple[str, str], ...]
    stored_at: float


def page_key(url: str, tags: tuple[str, ...], tag_versions: tuple[str, ...]) -> str:
    """The cache key (and ETag) of a URL at these tag versions."""
    material = "\n".join([url, *tags, *tag_versions]).encode()
    return "page:" + hashlib.sha256(material).hexdigest()[:40]


class LocalCopies:
    """This process's own copies of stored pages, by key, bounded by size (an LRU).

    A key names its content for good (it holds the versions of every tag the page depends on),
    so a copy can never be stale: a write changes the versions, hence the key. It saves the
    shared cache's round trip and unpickling (and, with the file cache, decompressing) on every
    hit; the versions themselves are always read from the shared cache.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._size = 0

    def get(self, key: str) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: str, value: Any, size: int) -> None:
        with self._lock:
            if key in self._items or size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self._size += size
            while self._size > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


_local = LocalCopies(32 * 1024 * 1024)


def load(key: str) -> StoredPage | None:
    found = _local.get(key)
    if found is None:
        found = _cache().get(key)
        if isinstance(found, StoredPage):
            _local.put(key, found, _size_of(found))
    return found if isinstance(found, StoredPage) else None


def store(key: str, page: StoredPage) -> None:
    _cache().set(key, page, timeout=settings.PAGE_CACHE_SECONDS)
    _local.put(key, page, _size_of(page))


def _size_of(page: StoredPage) -> int:
    return len(page.body) + len(page.gzipped or b"")


def forget_local_copies() -> None:
    _local.clear()
