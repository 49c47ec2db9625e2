"""Papers worth summarising: asking for (and withdrawing) a summary of a paper, the reader's own
request state, loaded apart from the cached paper page, and the most wanted list."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from shortscience.services import wanted
from shortscience.views.pages.common import (
    login_required_or_401,
    rate_limited,
    safe_next,
    signed_in,
    viewer,
)


@login_required_or_401
@require_POST
@rate_limited("following")
def toggle(request: HttpRequest, paper_id: int) -> HttpResponse:
    """`POST /wanted/papers/<id>/` with `action=want` or `action=withdraw`."""
    user = signed_in(request)
    if request.POST.get("action") == "withdraw":
        wanted.withdraw(user, paper_id)
    else:
        wanted.want(user, paper_id)
    if getattr(request, "htmx", False):
        return _render_state(request, paper_id)
    return redirect(safe_next(request, reverse("paper", args=[paper_id])))


@require_GET
def state(request: HttpRequest, paper_id: int) -> HttpResponse:
    """The reader's own button and the count: never cached, never in the shared copy."""
    return _render_state(request, paper_id)


def _render_state(request: HttpRequest, paper_id: int) -> HttpResponse:
    reader = viewer(request)
    context = {
        "paper_id": paper_id,
        "count": wanted.count_for(paper_id),
        "requested": wanted.has_requested(reader, paper_id),
        "known": True,
    }
    return render(request, "wanted/_state.html", context)


def listing(request: HttpRequest) -> HttpResponse:
    return render(request, "wanted/list.html", {"papers": wanted.most_wanted()})
