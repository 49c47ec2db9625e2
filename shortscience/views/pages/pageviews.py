"""The view beacon: `static/shortscience/pageviews.js` posts here from paper and summary pages.

No CSRF token, on purpose: cached pages carry none (they are the same bytes for everyone), and a
forged beacon can do nothing a reader's own visit does not: it adds at most one view per visitor,
page and day to a counter in the cache, and reads, writes or reveals nothing else. It needs no
session, sets no cookie and always answers 204 with nothing in it, counted or not.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shortscience.services import pageviews
from shortscience.views.pages.common import client_ip

# What browsers send with a prefetch or prerender (Chrome, Firefox, Safari, older Chrome).
PREFETCH_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")


@csrf_exempt  # see the module docstring: it only adds to a counter
@never_cache
@require_POST
def beacon(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    prefetch = any(
        "prefetch" in request.headers.get(name, "").lower()
        or "prerender" in request.headers.get(name, "").lower()
        for name in PREFETCH_HEADERS
    )
    pageviews.record(
        pageviews.Visit(
            kind=kind,
            object_id=object_id,
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            prefetch=prefetch,
        )
    )
    return HttpResponse(status=204)
