"""Flagging, the moderators' queue and actions, and the public moderation log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shortscience.models import Flag
from shortscience.services import authors, moderation
from shortscience.services.errors import InvalidInput
from shortscience.views.pages.common import rate_limited, safe_next, signed_in


@login_required
@rate_limited("flagging")
def flag(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    back = safe_next(request, reverse("home"))
    if request.method == "POST":
        try:
            moderation.flag(
                signed_in(request),
                kind,
                pk,
                request.POST.get("reason", ""),
                request.POST.get("text", ""),
            )
        except InvalidInput as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Thank you. Moderators will look at it.")
            return redirect(back)
    reasons = [(v, label) for v, label in Flag.Reason.choices if v != Flag.Reason.DUPLICATE]
    context = {"kind": kind, "pk": pk, "reasons": reasons, "next": back, "post": request.POST}
    return render(request, "moderation/flag.html", context)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    items = moderation.queue(signed_in(request))
    claims = authors.pending(signed_in(request))
    context = {"items": items, "claims": claims, "actions": moderation.Action, "tab": "queue"}
    return render(request, "moderation/queue.html", context)


@login_required
def hidden(request: HttpRequest) -> HttpResponse:
    kind = "comment" if request.GET.get("kind") == "comment" else "summary"
    page, items = moderation.hidden(signed_in(request), kind, request.GET.get("page"))
    context = {"page": page, "items": items, "kind": kind, "tab": "hidden"}
    return render(request, "moderation/hidden.html", context)


@login_required
def people(request: HttpRequest) -> HttpResponse:
    page, standings = moderation.people(signed_in(request), request.GET.get("page"))
    context = {"page": page, "standings": standings, "tab": "people"}
    return render(request, "moderation/people.html", context)


@login_required
@require_POST
def act(request: HttpRequest) -> HttpResponse:
    post = request.POST
    days = int(post["days"]) if post.get("days", "").isdecimal() else 7
    # A Merge button names the other paper in its formaction (one form, one shared reason).
    into = post.get("into") or request.GET.get("into", "")
    done = moderation.act(
        signed_in(request),
        post.get("action", ""),
        post.get("kind", ""),
        int(post["pk"]) if post.get("pk", "").isdecimal() else 0,
        post.get("reason", ""),
        days,
        into=int(into) if into.isdecimal() else None,
    )
    messages.success(request, f"{done.get_action_display()} {done.target_label}.")
    return redirect(safe_next(request, reverse("moderation-queue")))


def log(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/log.html", {"page": moderation.log(request.GET.get("page"))})
