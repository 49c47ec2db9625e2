"""Following and unfollowing from a page (a paper, a person, a discussion, a venue, an arXiv
category, a search): a plain form post that redirects back, or an htmx post that swaps the follow
button; and the list of what you follow."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shortscience.services import follows
from shortscience.views.pages.common import (
    login_required_or_401,
    rate_limited,
    safe_next,
    signed_in,
)


@login_required_or_401
@require_POST
@rate_limited("following")
def toggle(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """`POST /follow/<kind>/<id, username or category>/` with `action=follow` or `unfollow`."""
    parsed = follows.parse_kind(kind)
    user = signed_in(request)
    on = request.POST.get("action") != "unfollow"
    target_id = follows.target_id_for(parsed, key, active_only=on)
    if on:
        follows.follow(user, parsed, target_id)
    else:
        follows.unfollow(user, parsed, target_id)
    back = safe_next(request, reverse("following"))
    if getattr(request, "htmx", False):
        label = request.POST.get("label", "")[:80]
        context = {"kind": parsed, "key": key, "target_id": target_id, "label": label}
        ids = {target_id} if on else set()
        return render(request, "follows/_button.html", {**context, "ids": ids, "next": back})
    return redirect(back)


@login_required_or_401
@require_POST
@rate_limited("following")
def toggle_search(request: HttpRequest) -> HttpResponse:
    """`POST /follow/search/` with the query `q` and `action=follow` or `action=unfollow`."""
    user = signed_in(request)
    query = follows.normalised_query(request.POST.get("q", ""))
    on = request.POST.get("action") != "unfollow"
    if on:
        follows.follow(user, "search", query)
    else:
        follows.unfollow(user, "search", query)
    back = safe_next(request, reverse("following"))
    if getattr(request, "htmx", False):
        context = {"query": query, "queries": {query} if on else set(), "next": back}
        return render(request, "follows/_search_button.html", context)
    return redirect(back)


@login_required
def listing(request: HttpRequest) -> HttpResponse:
    return render(request, "follows/list.html", {"follows": follows.listing(signed_in(request))})
