"""Security headers every response carries; Django's SecurityMiddleware sets the rest (nosniff,
Referrer-Policy, HSTS in production).

The Content-Security-Policy allows scripts, styles, fonts and connections from this site only,
no inline script and no plugins, and no framing. Inline `style` attributes are allowed
(style-src-attr) because server-rendered MathML (Temml) sets padding, colours and display with
them; the sanitiser limits which CSS properties survive. Images may come from https sources
because a summary may show an image by URL. Forms post to this site only, and to the sign-in
pages of the ORCID and GitHub apps that are configured: their sign-in button posts here, and the
answer redirects the form to the provider, which form-action governs too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

from allauth.socialaccount.providers.github.views import GitHubOAuth2Adapter
from allauth.socialaccount.providers.orcid.views import OrcidOAuth2Adapter
from django.conf import settings
from django.http import HttpRequest, HttpResponse

_SIGN_IN_PAGES = {"orcid": OrcidOAuth2Adapter, "github": GitHubOAuth2Adapter}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-elem 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' https: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@lru_cache(maxsize=8)
def _with_form_targets(origins: tuple[str, ...]) -> str:
    if not origins:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", "form-action 'self' " + " ".join(origins)
    )


def content_security_policy() -> str:
    """The policy, with the configured providers' sign-in origins as form targets."""
    providers = settings.SOCIALACCOUNT_PROVIDERS
    origins = []
    for name, adapter in _SIGN_IN_PAGES.items():
        if providers.get(name, {}).get("APPS"):
            url = urlsplit(adapter.authorize_url)
            origins.append(f"{url.scheme}://{url.netloc}")
    return _with_form_targets(tuple(origins))


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy())
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
