"""Verified authors: claiming a paper, withdrawing the claim, moderators deciding claims, and
authors marking errata on comments about their paper."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shortscience.models import AuthorClaim
from shortscience.services import authors
from shortscience.services.errors import InvalidInput
from shortscience.views.pages.common import rate_limited, safe_next, signed_in


@login_required
@require_POST
@rate_limited("flagging")  # a claim asks moderators for their time, as a flag does
def claim(request: HttpRequest, paper_id: int) -> HttpResponse:
    try:
        made = authors.claim(signed_in(request), paper_id)
    except authors.OrcidNotVerified as error:
        back = reverse("paper", args=[paper_id])
        return render(request, "authors/verify.html", {"error": error, "back": back}, status=403)
    if made.status == AuthorClaim.Status.APPROVED:
        messages.success(request, "The paper lists your ORCID iD: you are a verified author.")
    else:
        messages.success(request, "Thank you. A moderator will check your claim.")
    return redirect(reverse("paper", args=[paper_id]) + "#authors")


@login_required
@require_POST
def withdraw(request: HttpRequest, paper_id: int) -> HttpResponse:
    authors.withdraw(signed_in(request), paper_id)
    messages.success(request, "Your claim is withdrawn.")
    return redirect(reverse("paper", args=[paper_id]) + "#authors")


@login_required
@require_POST
def decide(request: HttpRequest, claim_id: int) -> HttpResponse:
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        raise InvalidInput("Approve or decline the claim.")
    done = authors.decide(
        signed_in(request),
        claim_id,
        approve=decision == "approve",
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, f"{done.get_action_display()} {done.target_label}.")
    return redirect(reverse("moderation-queue") + "#claims")


@login_required
@require_POST
@rate_limited("commenting")
def erratum(request: HttpRequest, comment_id: int) -> HttpResponse:
    authors.mark_erratum(
        signed_in(request),
        comment_id,
        request.POST.get("status", ""),
        request.POST.get("note", ""),
    )
    messages.success(request, "Erratum updated.")
    return redirect(safe_next(request, reverse("home")) + f"#comment-{comment_id}")
