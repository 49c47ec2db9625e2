"""Small helpers shared by page views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme

from shortscience.models import User

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
