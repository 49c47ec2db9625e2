"""A summary's revision history, the word diff between two revisions its author picks, and
restoring an old revision (services/revisions.py); only the author reaches any of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shortscience.services import revisions
from shortscience.services.errors import InvalidInput
from shortscience.views.pages.common import rate_limited, signed_in


@login_required
def history(request: HttpRequest, summary_id: int) -> HttpResponse:
    summary, listed = revisions.history(summary_id, signed_in(request))
    return render(
        request,
        "revisions/history.html",
        {"summary": summary, "revisions": listed, "history_limit": revisions.HISTORY_LIMIT},
    )


def _number(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidInput("Choose two revisions to compare.") from exc


@login_required
@rate_limited("diffing", when=lambda r: True)  # a GET, but each compares two long texts
def diff(request: HttpRequest, summary_id: int) -> HttpResponse:
    old, new = _number(request, "old"), _number(request, "new")
    found = revisions.diff(summary_id, signed_in(request), old, new)
    return render(
        request,
        "revisions/diff.html",
        {"diff": found, "summary": found.summary, "max_chars": f"{revisions.MAX_DIFF_CHARS:,}"},
    )


@login_required
@require_POST
@rate_limited("publishing")
def restore(request: HttpRequest, summary_id: int, number: int) -> HttpResponse:
    done = revisions.restore(summary_id, signed_in(request), number)
    if done.revision is None:
        messages.info(request, f"Revision {number} is already the current text; nothing changed.")
    else:
        messages.success(request, f"Restored revision {done.restored} as revision {done.revision}.")
    return redirect(done.summary.get_absolute_url())
