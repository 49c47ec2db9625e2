"""Absolute URLs of this site: a path built by name (reverse(), get_absolute_url()) on a base.

The one place a path becomes an absolute URL. Mail and exports use the configured `SITE_URL`;
the API and the counts endpoint pass the request's own base, so each answers with the host it
was asked on.
"""

from __future__ import annotations

from django.conf import settings


def site_base() -> str:
    """`SITE_URL` without its trailing slash: the base every path is joined to."""
    return settings.SITE_URL.rstrip("/")


def absolute_url(path: str, *, base: str | None = None) -> str:
    """`path` (starting with "/") on `base`, by default this site's `SITE_URL`."""
    return (site_base() if base is None else base.rstrip("/")) + path
