"""Who is calling: a bearer token, a signed-in browser session, or nobody.

Reads accept all three; writes need a token with the write scope or a session whose request
passes Django's CSRF check. Each write also counts against the same rate limits as the
pages (per person, and more loosely per network).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from shortscience.models import ApiToken, User
from shortscience.services import ratelimits, tokens
from shortscience.views.pages.common import client_ip, viewer


@dataclass(frozen=True)
class Caller:
    user: User | None
    token: ApiToken | None = None


class BearerToken(HttpBearer):
    """`Authorization: Bearer ss_...`; a wrong or revoked token is a 401, never anonymous."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        found = tokens.authenticate(token)
        return Caller(user=found.user, token=found)


class SignedInSession(APIKeyCookie):
    """The site's session cookie, as the pages use it; unsafe methods also need the CSRF token
    (the `X-CSRFToken` header), so that another site cannot write in a reader's name."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # ninja checks CSRF before knowing whether anyone is signed in; we check it after, so
        # that a stranger's write is a 401 rather than a CSRF failure.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = viewer(request)
        if user is None:
            return None
        if self.csrf and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header.")
        return Caller(user=user)


def anybody(request: HttpRequest) -> Caller:
    """The last resort for reads: a stranger."""
    return Caller(user=None)


Auth = list[Callable[[HttpRequest], Caller | None]]
READ: Auth = [BearerToken(), SignedInSession(), anybody]
WRITE: Auth = [BearerToken(), SignedInSession()]
TOKEN_OR_ANYBODY: Auth = [BearerToken(), anybody]
# OpenAPI's way of saying that reads work without credentials as well.
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}]}


def caller(request: HttpRequest) -> Caller:
    found = getattr(request, "auth", None)
    return found if isinstance(found, Caller) else Caller(user=None)


def reader(request: HttpRequest) -> User | None:
    return caller(request).user


def writer(request: HttpRequest, action: str | None = None) -> User:
    """The person writing: refuses read-only tokens, then counts `action` against the rate
    limits (per person and per network, exactly like the pages)."""
    who = caller(request)
    if who.user is None:
        raise HttpError(401, "Sign in or send an API token.")
    if who.token is not None:
        tokens.ensure_scope(who.token, ApiToken.Scope.WRITE)
    if action is not None:
        ratelimits.check(action, ip=client_ip(request), user_id=who.user.pk)
    return who.user
