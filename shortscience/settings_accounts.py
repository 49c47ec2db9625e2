"""The accounts part of the settings (django-allauth, sign-in limits, social sign-in), read from
the environment like the rest; shortscience/settings.py takes every name from here. Its own
module only to keep settings.py readable; docs/configuration.md documents these variables too."""

from __future__ import annotations

from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

# --- Accounts (django-allauth) -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    # Failed second-factor codes (TOTP, recovery codes) per IP and per account: allauth's MFA
    # forms count them under this name. Failed passwords are not: AccountAdapter counts those
    # in services/signins.py instead (the SIGNIN_* settings below), since allauth's per-login
    # lock let a stranger lock the owner out. A wrong code needs the password first.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Failed sign-ins (services/signins.py, docs/accounts.md): "count/seconds" per network and per
# account on one network; after SIGNIN_DELAY_AFTER failures on an account from anywhere, a device
# that never signed in to it waits SIGNIN_DELAY_SECONDS, doubling up to the maximum. A device that
# signed in carries a signed cookie for SIGNIN_DEVICE_DAYS and is not made to wait.
SIGNIN_LIMITS: dict[str, str] = {
    "ip": env.str("SIGNIN_LIMIT_IP", default="20/600"),
    "account_ip": env.str("SIGNIN_LIMIT_ACCOUNT_IP", default="5/300"),
}


def check_rates(rates: dict[str, str], variable: str, example: str) -> None:
    """A malformed limit stops the site at start, not each limited request with a 500: every
    value must be count/seconds; `variable` names the environment variables (VARIABLE_NAME)."""
    for name, rate in rates.items():
        count, _, seconds = rate.partition("/")
        if not (count.isdigit() and seconds.isdigit() and int(seconds) > 0):
            raise ImproperlyConfigured(
                f"{variable}_{name.upper()} must be count/seconds (e.g. {example}), not {rate!r}."
            )


check_rates(SIGNIN_LIMITS, "SIGNIN_LIMIT", "20/600")
SIGNIN_DELAY_AFTER: int = env.int("SIGNIN_DELAY_AFTER", default=10)
SIGNIN_DELAY_SECONDS: int = env.int("SIGNIN_DELAY_SECONDS", default=30)
SIGNIN_DELAY_MAX_SECONDS: int = env.int("SIGNIN_DELAY_MAX_SECONDS", default=300)
SIGNIN_FAILURES_KEPT_SECONDS: int = env.int("SIGNIN_FAILURES_KEPT_SECONDS", default=3600)
SIGNIN_DEVICE_DAYS: int = env.int("SIGNIN_DEVICE_DAYS", default=365)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ShortScience] "
ACCOUNT_USERNAME_BLACKLIST = ["anonymous", "admin", "staff", "moderator", "shortscience"]
ACCOUNT_ADAPTER = "shortscience.views.accounts.AccountAdapter"
# Changing e-mail, password, social connections, second factors, API tokens or deleting the
# account asks for the password (or a second factor) again when the last one is this old.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT: int = env.int("REAUTHENTICATION_TIMEOUT", default=300)
# A mail to the account's addresses (the old one too) on password and e-mail changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"

# Social sign-in (docs/accounts.md): each provider is offered only when its client id and secret
# are set. ORCID_BASE_DOMAIN=sandbox.orcid.org for ORCID's sandbox.
SOCIALACCOUNT_ADAPTER = "shortscience.views.accounts.SocialAccountAdapter"
ORCID_CLIENT_ID: str = env.str("ORCID_CLIENT_ID", default="")
ORCID_SECRET: str = env.str("ORCID_SECRET", default="")
ORCID_BASE_DOMAIN: str = env.str("ORCID_BASE_DOMAIN", default="orcid.org")
GITHUB_CLIENT_ID: str = env.str("GITHUB_CLIENT_ID", default="")
GITHUB_SECRET: str = env.str("GITHUB_SECRET", default="")
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, Any]] = {
    "orcid": {
        "BASE_DOMAIN": ORCID_BASE_DOMAIN,
        "MEMBER_API": False,
        "APPS": (
            [{"client_id": ORCID_CLIENT_ID, "secret": ORCID_SECRET}]
            if ORCID_CLIENT_ID and ORCID_SECRET
            else []
        ),
    },
    "github": {
        # The primary address, verified or not as GitHub says (allauth asks /user/emails).
        "SCOPE": ["user:email"],
        "APPS": (
            [{"client_id": GITHUB_CLIENT_ID, "secret": GITHUB_SECRET}]
            if GITHUB_CLIENT_ID and GITHUB_SECRET
            else []
        ),
    },
}
# ORCID gives no e-mail: the sign-up form asks for one, and it is verified like any other.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_VERIFICATION = ACCOUNT_EMAIL_VERIFICATION
# A social sign-in never joins an existing account by a matching e-mail on its own: the owner
# connects it from settings while signed in (an unverified address at GitHub cannot take over).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT: int = env.int("SOCIALACCOUNT_REQUESTS_TIMEOUT", default=10)
