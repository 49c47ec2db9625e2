"""The HTTP side of the anonymous page cache (the rules and tags live in services/pagecache.py).

A GET or HEAD from someone who carries no session cookie, no Authorization header, no flash
message and is not an htmx request, for a page `services.pagecache.PAGES` names, is answered from
the cache when a copy exists at the current versions of its tags; otherwise the view renders it
and a 200 that set no cookie is stored, plain and gzipped. Every such answer carries an ETag (the
key, which changes with any write the page depends on), Last-Modified, `Cache-Control: public,
max-age=0, must-revalidate` (browsers and shared caches always ask again, and a 304 costs almost
nothing), and `X-Accel-Expires`, which lets nginx's micro-cache (deploy/nginx.conf.template)
answer for a second without Python; nginx never passes that header on.

Signed-in pages are never cached by nginx or browsers, and are marked `Cache-Control: private`;
the feeds and the sitemap, which are the same for everyone, are shared with signed-in readers too
(`pagecache.FOR_EVERYONE`). Other signed-in pages come from a shared copy rendered for a neutral
reader when it fits the reader (`SignedInPageCacheMiddleware`, services/neutralpages.py).
"""

from __future__ import annotations

import functools
import gzip
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import constant_time_compare
from django.utils.http import http_date, parse_http_date_safe

from shortscience import sessions
from shortscience.models import User
from shortscience.services import neutralpages, pagecache, splice
from shortscience.views import metrics
from shortscience.views.pages.common import viewer

# Headers that belong to one answer, not to the page: never stored, never replayed.
_NOT_STORED = {"set-cookie", "vary", "content-length", "content-encoding", "etag", "date"}
_GZIP = re.compile(r"\bgzip\b")
_PUBLIC = "public, max-age=0, must-revalidate"
_ACCOUNT_NAV = "users/_account_nav.html"


def _page_match(request: HttpRequest) -> ResolverMatch | None:
    """The URL's route, resolved once for both cache middlewares (None: no route)."""
    if not hasattr(request, "_page_match"):
        try:
            request._page_match = resolve(request.path_info)  # type: ignore[attr-defined]  # per-request memo
        except Resolver404:
            request._page_match = None  # type: ignore[attr-defined]  # per-request memo
    found: ResolverMatch | None = request._page_match  # type: ignore[attr-defined]  # set just above
    return found


def _shared_read(request: HttpRequest) -> bool:
    """A read whose answer may be shared, for the pages that are the same for everyone."""
    return request.method in ("GET", "HEAD") and "HTTP_HX_REQUEST" not in request.META


def _anonymous_read(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        _shared_read(request)
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and "HTTP_AUTHORIZATION" not in request.META
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not settings.PAGE_CACHE_ENABLED or not _shared_read(request):
            return self._private(self.get_response(request))
        match = _page_match(request)
        if match is None:
            return self.get_response(request)
        tags = pagecache.tags_for(match.view_name, match.kwargs)
        everyone = pagecache.shared_with_everyone(match.view_name)
        if tags is None or not (everyone or _anonymous_read(request)):
            return self._private(self.get_response(request))
        url = request.build_absolute_uri()
        key = pagecache.page_key(url, tags, pagecache.versions(tags))
        etag = f'"{key.removeprefix("page:")}"'
        if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
            metrics.page_cache("not_modified")
            return _not_modified(etag)
        page = pagecache.load(key)
        metrics.page_cache("miss" if page is None else "hit")
        if page is None:
            response = self.get_response(request)
            page = _storable(response)
            if page is None:
                return response
            pagecache.store(key, page)
        if _unchanged_since(request, page):
            return _not_modified(etag)
        return _replay(request, page, etag)

    @staticmethod
    def _private(response: HttpResponseBase) -> HttpResponseBase:
        if "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_cache=True)
        return response


def _unchanged_since(request: HttpRequest, page: pagecache.StoredPage) -> bool:
    """If-Modified-Since counts only without If-None-Match (RFC 9110 13.1.3): the ETag tells a
    page that changed within the same second, which a date to the second cannot."""
    if "HTTP_IF_NONE_MATCH" in request.META:
        return False
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and int(page.stored_at) <= since


def _storable(response: HttpResponseBase) -> pagecache.StoredPage | None:
    """The page to keep, or None when this answer must not be shared."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or response.has_header("Content-Encoding")
        or "private" in response.get("Cache-Control", "")
        or not isinstance(response, HttpResponse)
    ):
        return None
    body = response.content
    headers = tuple(
        (name, value) for name, value in response.items() if name.lower() not in _NOT_STORED
    )
    gzipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= 200 else None
    return pagecache.StoredPage(body, gzipped, headers, time.time())


def _replay(request: HttpRequest, page: pagecache.StoredPage, etag: str) -> HttpResponse:
    accepts_gzip = _GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) is not None
    wants_gzip = page.gzipped is not None and accepts_gzip
    body = page.gzipped if page.gzipped is not None and accepts_gzip else page.body
    response = HttpResponse(body)
    # A length lets gunicorn and nginx send the page in one piece: chunked, some sizes stalled
    # on the last chunk for TCP's 40 ms delayed ACK (the home page: 90 req/s instead of 5,000).
    response["Content-Length"] = str(len(body))
    for name, value in page.headers:
        response[name] = value
    if wants_gzip:
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(page.stored_at)
    response["Cache-Control"] = _PUBLIC
    response["X-Accel-Expires"] = str(settings.PAGE_CACHE_EDGE_SECONDS)
    return response


def _not_modified(etag: str) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = _PUBLIC
    response["Vary"] = "Accept-Encoding"
    return response


class SignedInPageCacheMiddleware:
    """Signed-in readers get the page's shared copy (services/neutralpages.py) with their own
    header and CSRF token put in, when the copy fits them; otherwise the view renders for them.

    It runs after sessions, auth and messages: it needs the reader. Staff (whose pages show
    moderation links), readers with a flash message waiting and htmx requests always get a full
    render.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not _may_be_signed_in_read(request):
            return self.get_response(request)
        match = _page_match(request)
        if match is None:
            return self.get_response(request)
        tags = pagecache.tags_for(match.view_name, match.kwargs)
        if tags is None or match.view_name not in neutralpages.SIGNED_IN_PAGES:
            return self.get_response(request)
        tag_versions = _versions_with_session(request, tags)
        reader_id = _signed_in_reader_id(request)
        if reader_id is None:
            return self.get_response(request)
        key = neutralpages.key(request.build_absolute_uri(), tags, tag_versions)
        page = neutralpages.load(key)
        if page is None:
            reader = viewer(request)  # Django's own check of the session, once per copy
            if reader is None or reader.pk != reader_id or _is_staff(reader):
                return self.get_response(request)
            page = self._render_neutral(request, reader)
            if page is None:
                return self.get_response(request)
            neutralpages.store(key, page)
        facts = neutralpages.reader_facts(page.witness, reader_id)
        reader = facts.reader
        if reader is None or not _session_is_theirs(request, reader) or _is_staff(reader):
            return self.get_response(request)  # auth decides, as on any other page
        if not facts.fits:
            return self.get_response(request)
        request.user = reader  # what auth would have loaded, without its query
        return _overlay(request, reader, page, facts.unread_notifications)

    def _render_neutral(
        self, request: HttpRequest, reader: User
    ) -> neutralpages.NeutralPage | None:
        request.user = neutralpages.neutral_reader()
        request.neutral_render = True  # type: ignore[attr-defined]  # read by context processors
        try:
            with neutralpages.recording() as witness:
                response = self.get_response(request)
        finally:
            request.user = reader
            request.neutral_render = False  # type: ignore[attr-defined]  # read by context processors
        if (
            response.status_code != 200
            or not isinstance(response, HttpResponse)
            or response.streaming
            or response.cookies
            or response.has_header("Content-Encoding")
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return None
        headers = tuple(
            (name, value)
            for name, value in response.items()
            if name.lower() not in _NOT_STORED and name.lower() != "cache-control"
        )
        charset = response.charset or "utf-8"
        return neutralpages.NeutralPage(
            neutralpages.cut(response.content.decode(charset)), headers, witness, time.time()
        )


def _may_be_signed_in_read(request: HttpRequest) -> bool:
    """A GET that carries a session, which the shared copy may answer if the session names
    someone (no flash message, no API token, not htmx)."""
    return (
        settings.PAGE_CACHE_ENABLED
        and _shared_read(request)
        and settings.SESSION_COOKIE_NAME in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _versions_with_session(request: HttpRequest, tags: tuple[str, ...]) -> tuple[str, ...]:
    """The page's tag versions, and the session read from the cache in the same round trip
    (shortscience/sessions.py) when sessions are read through the page cache's cache."""
    session = request.session
    if (
        isinstance(session, sessions.SessionStore)
        and session.session_key
        and settings.SESSION_CACHE_ALIAS == settings.PAGE_CACHE_ALIAS
    ):
        session_key = session.cache_key
        tag_versions, found = pagecache.versions_and(tags, [session_key])
        data = found.get(session_key)
        if isinstance(data, dict):
            session.use_fetched(data)
        return tag_versions
    return pagecache.versions(tags)


def _signed_in_reader_id(request: HttpRequest) -> int | None:
    """The person the session names, when the shared copy may answer them."""
    session = request.session
    if (
        "_messages" in session
        or session.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS
    ):
        return None
    try:
        return int(session[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


def _session_is_theirs(request: HttpRequest, reader: User) -> bool:
    """django.contrib.auth.get_user's check (an active person, the session's hash of their
    password), so a session a password change ended never gets a page. Anything else (a key
    from SECRET_KEY_FALLBACKS, say) goes to auth itself, which knows how to upgrade or end it."""
    session_hash = request.session.get(HASH_SESSION_KEY)
    return bool(
        reader.is_active
        and session_hash
        and constant_time_compare(session_hash, reader.get_session_auth_hash())
    )


def _is_staff(reader: User) -> bool:
    # Staff pages show moderation links the shared copy leaves out.
    return bool(reader.is_staff or reader.is_superuser)


def _overlay(
    request: HttpRequest, reader: User, page: neutralpages.NeutralPage, unread: int
) -> HttpResponse:
    token = get_token(request)
    header = _account_nav(reader.pk, reader.username, reader.display_name, unread)
    fillings = (header.replace(neutralpages.csrf_placeholder(), token).encode(), token.encode())
    # Compressed here, from the parts compressed when the copy was stored; GZipMiddleware
    # leaves an answer that has its Content-Encoding alone.
    if _GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(splice.gzipped(page.body, fillings))
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(splice.plain(page.body, fillings))
    response["Content-Length"] = str(len(response.content))
    for name, value in page.headers:
        response[name] = value
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
    return response


@functools.lru_cache(maxsize=4096)
def _account_nav(reader_id: int, username: str, display_name: str, unread: int) -> str:
    """The reader's header, rendered once per (name, unread count) in this process, with the
    CSRF placeholder where their token goes. It depends on nothing else (its template says so)."""
    reader = User(pk=reader_id, username=username, display_name=display_name)
    return get_template(_ACCOUNT_NAV).render(
        {
            "user": reader,
            "unread_notifications": unread,
            "csrf_token": neutralpages.csrf_placeholder(),
        }
    )
