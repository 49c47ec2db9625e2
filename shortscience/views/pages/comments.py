"""Comments: post, reply, preview, edit and delete."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shortscience.models import Comment
from shortscience.services import comments
from shortscience.services.errors import InvalidInput
from shortscience.views.errors import wants_json
from shortscience.views.forms import CommentForm
from shortscience.views.pages.common import (
    login_required_or_401,
    rate_limited,
    safe_next,
    signed_in,
)


@login_required
@require_POST
@rate_limited("commenting")
def add(request: HttpRequest, summary_id: int) -> HttpResponse:
    form = CommentForm(request.POST)
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        raise InvalidInput(
            "Your comment was not posted: " + " ".join(errors.get("markdown", [])),
            field_errors=errors,
        )
    comment = comments.add(
        signed_in(request), summary_id, form.cleaned_data["markdown"], form.cleaned_data["parent"]
    )
    if comment.is_hidden:
        messages.info(request, "Your comment waits for a moderator before anyone sees it.")
    return redirect(
        safe_next(request, reverse("summary", args=[summary_id])) + f"#comment-{comment.pk}"
    )


@login_required_or_401
@require_POST
@rate_limited("comment_preview")
def preview(request: HttpRequest, summary_id: int) -> HttpResponse:
    """The comment rendered as it will show: JSON for the live preview (comments.js), or the
    form again with the preview above it and the text kept (the Preview button, no JS)."""
    markdown = request.POST.get("markdown", "")
    if wants_json(request):  # errors answer as JSON too (views/errors.py)
        shown = comments.preview(signed_in(request), summary_id, markdown)
        return JsonResponse({"html": shown.html, "math_errors": shown.math_errors})
    form = CommentForm(request.POST)
    html, error, anonymous = "", "", False
    try:
        shown = comments.preview(signed_in(request), summary_id, markdown)
        html, anonymous = shown.html, shown.as_anonymous_author
    except InvalidInput as failed:
        error = failed.message
    context = {
        "form": form,
        "preview_html": html,
        "error": error,
        "summary_id": summary_id,
        "parent": request.POST.get("parent", ""),
        "next": safe_next(request, reverse("summary", args=[summary_id])),
        "limit": settings.COMMENT_MAX_CHARS,
        "anonymous_author": anonymous,
    }
    return render(request, "comments/preview.html", context, status=400 if error else 200)


@login_required
@rate_limited("commenting", when=lambda r: r.method == "POST" and "preview" not in r.POST)
def edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    user = signed_in(request)
    comment = comments.get_for_edit(comment_id, user)
    form = CommentForm(request.POST or None, initial={"markdown": comment.markdown})
    if request.method == "POST" and "preview" in request.POST:
        return _edit_preview(request, comment_id, form, comment)
    if request.method == "POST" and form.is_valid():
        try:
            comments.edit(user, comment_id, form.cleaned_data["markdown"])
        except InvalidInput as error:
            form.add_error("markdown", error.message)
        else:
            return redirect(
                reverse("summary", args=[comment.summary_id]) + f"#comment-{comment.pk}"
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "comments/edit.html", _edit_context(form, comment), status=status)


def _edit_context(form: CommentForm, comment: Comment, **more: object) -> dict[str, object]:
    return {"form": form, "comment": comment, "limit": settings.COMMENT_MAX_CHARS, **more}


@rate_limited("comment_preview")
def _edit_preview(
    request: HttpRequest, comment_id: int, form: CommentForm, comment: Comment
) -> HttpResponse:
    """The edit form's Preview button without JS: the text kept, its rendering above it."""
    html, status = "", 200
    try:
        html = comments.preview(
            signed_in(request), comment.summary_id, request.POST["markdown"]
        ).html
    except InvalidInput as failed:
        form.add_error("markdown", failed.message)
        status = 400
    return render(
        request,
        "comments/edit.html",
        _edit_context(form, comment, preview_html=html),
        status=status,
    )


@login_required
@require_POST
def delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = comments.delete(signed_in(request), comment_id)
    messages.success(request, "Comment deleted.")
    return redirect("summary", comment.summary_id)
