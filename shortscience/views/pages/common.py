"""Small helpers shared by page views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme

from shortscience.models import User
from shortscience.services import ratelimits

ViewFunc = Callable[..., HttpResponse]


def viewer(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def signed_in(request: HttpRequest) -> User:
    user = viewer(request)
    assert user is not None, "guarded by login_required"
    return user


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def login_required_or_401(view: ViewFunc) -> ViewFunc:
    """Like login_required, but htmx and fetch callers get a 401 they can act on instead of a
    login page swapped into a vote widget or an editor preview."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if viewer(request) is not None:
            return view(request, *args, **kwargs)
        back = request.headers.get("HX-Current-URL", request.path)
        login = f"{settings.LOGIN_URL}?{urlencode({'next': back})}"
        if getattr(request, "htmx", False):
            return HttpResponse("Sign in first.", status=401, headers={"HX-Redirect": login})
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(
                {"code": "NotSignedIn", "message": "Sign in first.", "fields": {}}, status=401
            )
        return redirect_to_login(request.get_full_path())

    return wrapped


def reauthenticated(*, allow_get: bool = False) -> Callable[[ViewFunc], ViewFunc]:
    """The view changes something that hands over the account (e-mail, tokens, deletion):
    whoever asks proves they are the owner again, by password or second factor, when their
    last proof is older than ACCOUNT_REAUTHENTICATION_TIMEOUT (allauth's re-authentication,
    which resumes the request afterwards). `allow_get`: only the writes need it."""

    def decorate(view: ViewFunc) -> ViewFunc:
        checked: ViewFunc = reauthentication_required(
            view, allow_get=allow_get, app="allauth.account"
        )
        return checked

    return decorate


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind our proxy, the hop it appended to X-Forwarded-For."""
    if settings.SECURE_PROXY_SSL_HEADER and request.headers.get("X-Forwarded-For"):
        return request.headers["X-Forwarded-For"].split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def _is_post(request: HttpRequest) -> bool:
    return request.method == "POST"


def rate_limited(
    action: str, when: Callable[[HttpRequest], bool] = _is_post
) -> Callable[[ViewFunc], ViewFunc]:
    """Count each request `when` says (POSTs by default) against the limits for `action` (the
    person's, and their network's: services/ratelimits.py); over them the answer is 429 with
    Retry-After."""

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if when(request):
                user = viewer(request)
                ratelimits.check(
                    action, ip=client_ip(request), user_id=None if user is None else user.pk
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
