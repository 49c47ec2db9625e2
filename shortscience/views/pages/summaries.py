"""Writing and reading summaries: the editor with live preview, autosave and drafts, permalinks,
share links, deletion (revision history, diffs and restore: views/pages/revisions.py)."""

from __future__ import annotations

from dataclasses import asdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shortscience.models import Summary
from shortscience.services import authors, cards, papers, ratelimits, summaries
from shortscience.services.errors import InvalidInput
from shortscience.views.errors import wants_json
from shortscience.views.forms import AutosaveForm, SummaryForm
from shortscience.views.pages.common import (
    client_ip,
    login_required_or_401,
    rate_limited,
    signed_in,
    viewer,
)


def _detail_card(request: HttpRequest, summary: Summary) -> cards.SummaryCard:
    """The summary's card with its discussion, author badges as its paper's authors earn them."""
    return cards.build(
        [summary],
        viewer(request),
        with_comments=True,
        paper_authors=authors.verified_ids(summary.paper_id),
    )[0]


def detail(request: HttpRequest, summary_id: int) -> HttpResponse:
    summary = summaries.get_visible(summary_id, viewer(request), moderators_see_hidden=True)
    card = _detail_card(request, summary)
    response = render(request, "summaries/detail.html", {"card": card, "paper": summary.paper})
    if not summary.is_public:
        response["X-Robots-Tag"] = "noindex"
    return response


def shared(request: HttpRequest, token: str) -> HttpResponse:
    summary = summaries.get_by_share_token(token)
    card = _detail_card(request, summary)
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
    context: dict[str, object] = {"paper": paper, "existing": existing}
    if request.method == "POST":
        form = SummaryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = summaries.write(
                    user,
                    paper,
                    summaries.SaveRequest(
                        markdown=data["markdown"],
                        publish=data["action"] == "publish",
                        private=data["private"],
                        anonymous=data["anonymous"],
                        base_version=data["base_version"],
                        unpublish=data["action"] == "unpublish",
                    ),
                )
            except summaries.Stale as error:
                # The form keeps the writer's text; sending it again replaces the newer one.
                context.update(conflict=error.current, base_version=error.current.version)
                form.add_error(None, error.message)
                return _editor(request, form, context, status=409)
            except InvalidInput as error:
                form.add_error("markdown", error.message)
            else:
                messages.success(request, _saved_message(saved))
                if saved.formula_problems:
                    # The editor lists them beside the preview.
                    return redirect("summary-write", paper.pk)
                return redirect(saved.summary.get_absolute_url())
        context["base_version"] = request.POST.get("base_version", "")
        return _editor(request, form, context, status=400)
    text = summaries.editor_text(existing)
    initial: dict[str, object] = {"action": "publish", "markdown": text}
    if existing is not None:
        initial.update(
            private=existing.visibility == existing.Visibility.PRIVATE,
            anonymous=existing.is_anonymous,
        )
        context["opening"] = _opening_preview(request, existing)
    context["base_version"] = existing.version if existing is not None else 0
    return _editor(request, SummaryForm(initial=initial), context, status=200)


# Shown in the preview pane when the previews' rate limit is reached.
_NO_OPENING_PREVIEW = summaries.Preview(
    html='<p class="hint">No preview now: you asked for many previews in a short time. '
    "It comes back when you type again in a little while.</p>"
)


def _opening_preview(request: HttpRequest, existing: Summary) -> summaries.Preview | None:
    """The editor's opening preview of a draft costs a render: it counts as a preview, and
    past the previews' limit the editor opens without it (the text is all there)."""
    if not summaries.opening_needs_render(existing):
        return None
    user = viewer(request)
    try:
        ratelimits.check(
            "previewing", ip=client_ip(request), user_id=None if user is None else user.pk
        )
    except ratelimits.RateLimited:
        return _NO_OPENING_PREVIEW
    return summaries.opening_preview(existing)


def _editor(
    request: HttpRequest, form: SummaryForm, context: dict[str, object], *, status: int
) -> HttpResponse:
    context.update(form=form, max_chars=settings.SUMMARY_MAX_CHARS)
    return render(request, "summaries/write.html", context, status=status)


def _saved_message(saved: summaries.Saved) -> str:
    summary = saved.summary
    if saved.draft_only:
        text = "Draft saved. The published version stays as it is until you publish."
    elif summary.is_hidden:
        text = "Saved. It waits for a moderator before anyone else sees it."
    else:
        text = "Published." if summary.is_public else "Saved."
    problems = saved.formula_problems
    if problems:
        listed = "; ".join(f"line {p.line}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        count = "1 formula" if len(problems) == 1 else f"{len(problems)} formulas"
        text += f" {count} failed: {listed}{more}."
    return text


@login_required_or_401
@require_POST
@rate_limited("previewing")
def preview(request: HttpRequest) -> HttpResponse:
    """The preview's HTML; as JSON (`Accept: application/json`, the editor) with the list of
    formulas that failed beside it."""
    shown = summaries.preview(request.POST.get("markdown", ""))
    if not wants_json(request):
        return HttpResponse(shown.html)
    problems = shown.formula_problems
    listed = [asdict(p) for p in problems[: summaries.FORMULA_PROBLEMS_LISTED]]
    return JsonResponse(
        {"html": shown.html, "formula_problems": listed, "formula_problem_count": len(problems)}
    )


@login_required_or_401
@require_POST
@rate_limited("autosaving")
def autosave(request: HttpRequest, paper_id: int) -> HttpResponse:
    """The editor's text kept as a draft every few seconds (JSON for editor.js)."""
    form = AutosaveForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("The autosave request was malformed.")
    summary = summaries.autosave(
        signed_in(request),
        papers.get(paper_id),
        form.cleaned_data["markdown"],
        base_version=form.cleaned_data["base_version"],
    )
    saved_at = summary.draft_saved_at
    return JsonResponse(
        {
            "version": summary.version,
            "saved_at": saved_at.isoformat() if saved_at else None,
            "summary_id": summary.pk,
        }
    )


@login_required
@require_POST
@rate_limited("autosaving")
def discard_draft(request: HttpRequest, summary_id: int) -> HttpResponse:
    paper = summaries.discard_draft(summary_id, signed_in(request))
    messages.success(request, "Draft discarded.")
    return redirect("summary-write", paper.pk)


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
