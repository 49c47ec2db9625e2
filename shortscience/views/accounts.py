"""The site's side of django-allauth: its adapters, the signals it sends, and the staff
second-factor rule (docs/accounts.md).

allauth owns the account pages and flows; what is ours is decided here and done by
services/accounts.py: an ORCID iD is verified only when an ORCID sign-in or connect proved it,
other sessions end when the password changes, and staff enrol a second factor when
REQUIRE_STAFF_MFA is on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.signals import (
    password_changed,
    password_reset,
    password_set,
    user_signed_up,
)
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_removed
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from allauth.socialaccount.signals import (
    social_account_added,
    social_account_removed,
    social_account_updated,
)
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from shortscience.models import User
from shortscience.services import accounts, signins, standing, text
from shortscience.views.pages.common import client_ip

ORCID = "orcid"
SECOND_FACTOR_CHECKED = "shortscience_second_factor_checked"
RECHECK_SECONDS = 300


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth is untyped
    """allauth's account adapter, with the client address read the way the rest of the site
    reads it (behind our one proxy, the hop it appended)."""

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request)

    # --- Sign-in limits (services/signins.py), in place of allauth's per-login lock ---------

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Judge a password sign-in before its password is checked; a refusal is a form error
        that says how long to wait, answered 429 with Retry-After (`ajax_response`)."""
        self._signin_attempt: signins.Attempt | None = None
        login = credentials.get("email") or credentials.get("username") or ""
        try:
            self._signin_attempt = signins.begin(
                login, self.get_client_ip(request), request.COOKIES.get(signins.DEVICE_COOKIE)
            )
        except signins.SignInRefused as refused:
            request._signin_refused = refused  # type: ignore[attr-defined]  # read by ajax_response
            raise ValidationError(refused.message, code="too_many_login_attempts") from None

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        user = super().authenticate(request, **credentials)
        attempt = getattr(self, "_signin_attempt", None)
        if user is not None and attempt is not None:
            signins.succeeded(attempt)
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        attempt = getattr(self, "_signin_attempt", None)
        if attempt is not None:
            signins.failed(attempt)

    def post_login(self, request: HttpRequest, user: User, **kwargs: Any) -> HttpResponse:
        """Every completed sign-in (after any second factor) marks the device as known to the
        account, with a signed cookie sent only to the account pages."""
        response: HttpResponse = super().post_login(request, user, **kwargs)
        response.set_cookie(
            signins.DEVICE_COOKIE,
            signins.remember_device(request.COOKIES.get(signins.DEVICE_COOKIE), user.pk),
            max_age=signins.device_cookie_seconds(),
            path=reverse("account_login").rstrip("/").rsplit("/", 1)[0] + "/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth calls this for each address of an account whose password was just reset."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        signins.password_reset(credentials["email"])

    def is_ajax(self, request: HttpRequest) -> bool:
        """allauth's form views pass their answer through `ajax_response` when this is true:
        the one place the adapter sees the response, so a refused sign-in gets its 429 there."""
        return bool(super().is_ajax(request)) or hasattr(request, "_signin_refused")

    def ajax_response(
        self, request: HttpRequest, response: HttpResponse, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        refused = getattr(request, "_signin_refused", None)
        if refused is None or super().is_ajax(request):
            response = super().ajax_response(request, response, *args, **kwargs)
        if refused is not None:
            response.status_code = 429
            response["Retry-After"] = str(refused.retry_after)
        return response


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]  # allauth is untyped
    """A new account made by an ORCID sign-in starts with that iD, verified, and the name the
    ORCID record gives."""

    def get_app(self, request: HttpRequest, provider: str, client_id: str | None = None) -> Any:
        """A provider without keys is not there: its sign-in URL answers 404, not 500."""
        try:
            return super().get_app(request, provider, client_id)
        except SocialApp.DoesNotExist as missing:
            raise Http404(f"Sign-in with {provider} is not set up on this site.") from missing

    def get_requests_session(self) -> requests.Session:
        """allauth's session to the providers (its timeout), retrying a connection that failed
        or a GET answered 502-504, with backoff; a token POST is never sent twice (its code is
        single-use)."""
        session: requests.Session = super().get_requests_session()
        retry = Retry(
            total=2,
            read=0,
            backoff_factor=0.5,
            status_forcelist=(502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
        )
        session.mount("https://", HTTPAdapter(max_retries=retry))
        return session

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> Any:
        user = super().populate_user(request, sociallogin, data)
        if sociallogin.account.provider == ORCID:
            user.orcid = sociallogin.account.uid
            user.orcid_verified = True
            name = " ".join(
                part for part in (data.get("first_name"), data.get("last_name")) if part
            )
            user.display_name = text.squeezed_line(name, 100)
        return user


def _orcid_proved(
    sender: object, request: HttpRequest, sociallogin: SocialLogin, **kwargs: object
) -> None:
    if sociallogin.account.provider == ORCID and sociallogin.user.pk:
        accounts.orcid_proved(sociallogin.user, sociallogin.account.uid)


def _signed_up(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    """A new account made by an ORCID sign-in: `populate_user` gave it the iD; this makes the
    consequences of proving it happen too (author claims of papers listing it). allauth sends
    social_account_added only when an account is connected later."""
    sociallogin = kwargs.get("sociallogin")
    if isinstance(sociallogin, SocialLogin) and sociallogin.account.provider == ORCID:
        accounts.orcid_proved(user, sociallogin.account.uid)


def _orcid_removed(
    sender: object, request: HttpRequest, socialaccount: SocialAccount, **kwargs: object
) -> None:
    if socialaccount.provider == ORCID:
        accounts.orcid_unproved(socialaccount.user, socialaccount.uid)


def _password_changed(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    accounts.end_other_sessions(user, keep=request.session.session_key)


def _second_factor_changed(sender: object, request: HttpRequest, **kwargs: object) -> None:
    request.session.pop(SECOND_FACTOR_CHECKED, None)


social_account_added.connect(_orcid_proved, dispatch_uid="shortscience-orcid-added")
social_account_updated.connect(_orcid_proved, dispatch_uid="shortscience-orcid-updated")
user_signed_up.connect(_signed_up, dispatch_uid="shortscience-orcid-signed-up")
social_account_removed.connect(_orcid_removed, dispatch_uid="shortscience-orcid-removed")
authenticator_removed.connect(_second_factor_changed, dispatch_uid="shortscience-mfa-removed")
for _signal in (password_changed, password_set, password_reset):
    _signal.connect(_password_changed, dispatch_uid=f"shortscience-sessions-{id(_signal)}")


class StaffSecondFactorMiddleware:
    """With REQUIRE_STAFF_MFA on, a staff member or moderator with no second factor can reach
    only the account pages (to enrol one, or sign out) until they have one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.REQUIRE_STAFF_MFA and self._must_enrol(request):
            return redirect(reverse("mfa_index"))
        return self.get_response(request)

    @staticmethod
    def _must_enrol(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        account_pages = reverse("account_login").removesuffix("login/")
        if request.path.startswith((account_pages, settings.STATIC_URL or "/static/")):
            return False
        # "Nothing to enrol" is kept in the session for a few minutes, so a signed-in page
        # costs no query for it; a removed second factor is noticed within RECHECK_SECONDS
        # (at once in the session that removed it). "Must enrol" is asked again each time.
        now = time.time()
        checked = request.session.get(SECOND_FACTOR_CHECKED)
        if isinstance(checked, float) and checked > now - RECHECK_SECONDS:
            return False
        must = (user.is_staff or standing.is_moderator(user)) and not (
            Authenticator.objects.filter(user=user).exists()
        )
        if not must:
            request.session[SECOND_FACTOR_CHECKED] = now
        return must
