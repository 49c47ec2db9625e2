"""Writing and reading summaries: the editor with live preview, permalinks, share links,
revision history and diffs, deletion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shortscience.services import cards, papers, summaries
from shortscience.services.errors import InvalidInput
from shortscience.views.forms import SummaryForm
from shortscience.views.pages.common import login_required_or_401, rate_limited, signed_in, viewer


def detail(request: HttpRequest, summary_id: int) -> HttpResponse:
    summary = summaries.get_visible(summary_id, viewer(request))
    card = cards.build([summary], viewer(request), with_comments=True)[0]
    return render(request, "summaries/detail.html", {"card": card, "paper": summary.paper})


def shared(request: HttpRequest, token: str) -> HttpResponse:
    summary = summaries.get_by_share_token(token)
    card = cards.build([summary], viewer(request), with_comments=True)[0]
    response = render(
        request, "summaries/detail.html", {"card": card, "paper": summary.paper, "shared": True}
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@rate_limited("publishing")
def write(request: HttpRequest, paper_id: int) -> HttpResponse:
    user = signed_in(request)
    paper = papers.get(paper_id)
    existing = summaries.get_own(paper, user)
    if request.method == "POST":
        form = SummaryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                summary = summaries.save(
                    user,
                    paper,
                    summaries.SaveRequest(
                        markdown=data["markdown"],
                        publish=data["action"] == "publish",
                        private=data["private"],
                        anonymous=data["anonymous"],
                    ),
                )
            except InvalidInput as error:
                form.add_error("markdown", error.message)
            else:
                messages.success(request, "Published." if summary.is_public else "Saved.")
                return redirect(summary.get_absolute_url())
    else:
        initial: dict[str, object] = {"action": "publish"}
        if existing is not None:
            initial.update(
                markdown=existing.markdown,
                private=existing.visibility == existing.Visibility.PRIVATE,
                anonymous=existing.is_anonymous,
            )
        form = SummaryForm(initial=initial)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "summaries/write.html",
        {"form": form, "paper": paper, "existing": existing},
        status=status,
    )


@login_required_or_401
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    return HttpResponse(summaries.preview(request.POST.get("markdown", "")))


@login_required
@require_POST
def delete(request: HttpRequest, summary_id: int) -> HttpResponse:
    paper = summaries.delete(summary_id, signed_in(request))
    messages.success(request, "Your summary was deleted with its votes and comments.")
    return redirect(paper.get_absolute_url())


@login_required
@require_POST
def share(request: HttpRequest, summary_id: int) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    summary = summaries.set_share_link(summary_id, signed_in(request), enabled=enabled)
    messages.success(request, "A new share link was made." if enabled else "Share link revoked.")
    return redirect(summary.get_absolute_url())


@login_required
def history(request: HttpRequest, summary_id: int) -> HttpResponse:
    summary, revisions = summaries.revisions(summary_id, signed_in(request))
    return render(request, "summaries/history.html", {"summary": summary, "revisions": revisions})


@login_required
def diff(request: HttpRequest, summary_id: int) -> HttpResponse:
    try:
        old, new = int(request.GET.get("old", "")), int(request.GET.get("new", ""))
    except ValueError as exc:
        raise InvalidInput("Choose two revisions to compare.") from exc
    summary, lines = summaries.diff(summary_id, signed_in(request), old, new)
    return render(
        request,
        "summaries/diff.html",
        {"summary": summary, "lines": lines, "old": old, "new": new},
    )
