"""Comments: post, reply, edit and delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shortscience.services import comments
from shortscience.services.errors import InvalidInput
from shortscience.views.forms import CommentForm
from shortscience.views.pages.common import rate_limited, safe_next, signed_in


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
    return redirect(
        safe_next(request, reverse("summary", args=[summary_id])) + f"#comment-{comment.pk}"
    )


@login_required
@rate_limited("commenting")
def edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    user = signed_in(request)
    comment = comments.get_for_edit(comment_id, user)
    form = CommentForm(request.POST or None, initial={"markdown": comment.markdown})
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
    return render(request, "comments/edit.html", {"form": form, "comment": comment}, status=status)


@login_required
@require_POST
def delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = comments.delete(signed_in(request), comment_id)
    messages.success(request, "Comment deleted.")
    return redirect("summary", comment.summary_id)
