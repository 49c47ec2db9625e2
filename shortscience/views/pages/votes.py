"""Voting: a plain form post that redirects back, or an htmx post that swaps the vote widget."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shortscience.services import votes
from shortscience.views.pages.common import (
    login_required_or_401,
    rate_limited,
    safe_next,
    signed_in,
)


@login_required_or_401
@require_POST
@rate_limited("voting")
def vote(request: HttpRequest, summary_id: int) -> HttpResponse:
    value = votes.parse_value(request.POST.get("value", ""))
    result = votes.cast(signed_in(request), summary_id, value)
    if getattr(request, "htmx", False):
        return render(
            request,
            "votes/_widget.html",
            {
                "summary_id": result.summary_id,
                "score": result.score,
                "my_vote": result.my_vote,
                "can_vote": True,
            },
        )
    return redirect(safe_next(request, reverse("summary", args=[summary_id])))
