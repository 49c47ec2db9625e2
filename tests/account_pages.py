"""What the account page tests share: a member signed in through the sign-in form (so allauth
counts them as freshly authenticated), a second factor for them, and the URLs of every allauth
page, signed out and signed in. Used by tests/views/test_account_pages.py and
tests/browser/test_account_pages.py."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.webauthn.internal.auth import WebAuthn
from django.urls import reverse

from shortscience.models import User

PASSWORD = "a-long-test-password"
# A fake app: allauth lists a provider only when it has keys (settings.SOCIALACCOUNT_PROVIDERS).
ORCID_APP = {"client_id": "APP-TEST0000ORCID0", "secret": "not-a-real-secret"}
GITHUB_APP = {"client_id": "test-github-client", "secret": "not-a-real-secret"}


def with_providers(providers: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """settings.SOCIALACCOUNT_PROVIDERS with the fake ORCID and GitHub apps."""
    return {
        **providers,
        "orcid": {**providers["orcid"], "APPS": [ORCID_APP]},
        "github": {**providers["github"], "APPS": [GITHUB_APP]},
    }


def totp_code(secret: str) -> str:
    """The code the authenticator app shows now (allauth takes each code once, and only in its
    own 30 seconds: MFA_TOTP_TOLERANCE is 0). A code with less than 3 seconds to live is not
    handed out: the test waits for the next one, as a person would, so that the server never
    judges it in the following period (a failure CI met at hh:mm:30.0)."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def recovery_code(user: User) -> str:
    """One of `user`'s unused recovery codes, which the second-factor step takes too."""
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return str(codes.wrap().get_unused_codes()[0])


def enable_totp(user: User) -> str:
    """An authenticator app and recovery codes for `user`, as the 2FA pages would make them;
    returns the app's secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def add_security_key(user: User, name: str = "My laptop") -> Authenticator:
    """A passkey as allauth stores one (what the list, edit and remove pages read of it)."""
    credential = {"clientExtensionResults": {"credProps": {"rk": True}}}
    return WebAuthn.add(user, name, credential).instance


# Pages a visitor sees (the entrance layout), by URL name.
SIGNED_OUT = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
]
# Settings pages of a signed-in member (the settings layout and navigation).
MANAGE = [
    "profile",
    "notification-settings",
    "account_email",
    "account_change_password",
    "mfa_index",
    "usersessions_list",
    "socialaccount_connections",
    "tokens",
    "account-export",
    "account-delete",
]
# Steps inside two-factor authentication, for a member with no second factor yet.
MFA_STEPS = ["mfa_activate_totp", "mfa_list_webauthn", "mfa_add_webauthn"]
# Settings pages of a member with an authenticator app (and so recovery codes).
MANAGE_WITH_MFA = [
    "mfa_index",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
]


def security_key_pages(key: Authenticator) -> list[str]:
    return [
        reverse("mfa_edit_webauthn", kwargs={"pk": key.pk}),
        reverse("mfa_remove_webauthn", kwargs={"pk": key.pk}),
    ]
