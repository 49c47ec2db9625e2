"""Flagging, the moderators' queue and actions, and the public moderation log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shortscience.models import Flag
from shortscience.services import moderation
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
    context = {"kind": kind, "pk": pk, "reasons": Flag.Reason.choices, "next": back}
    return render(request, "moderation/flag.html", context)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    items = moderation.queue(signed_in(request))
    return render(request, "moderation/queue.html", {"items": items, "actions": moderation.Action})


@login_required
@require_POST
def act(request: HttpRequest) -> HttpResponse:
    post = request.POST
    days = int(post["days"]) if post.get("days", "").isdecimal() else 7
    done = moderation.act(
        signed_in(request),
        post.get("action", ""),
        post.get("kind", ""),
        int(post.get("pk") or 0),
        post.get("reason", ""),
        days,
    )
    messages.success(request, f"{done.get_action_display()} {done.target_label}.")
    return redirect("moderation-queue")


def log(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/log.html", {"page": moderation.log(request.GET.get("page"))})
