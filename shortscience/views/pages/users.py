"""People: profile pages, the users list, editing your own profile, and blocking a person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shortscience.services import blocks, users
from shortscience.services.errors import InvalidInput
from shortscience.views.forms import ProfileForm
from shortscience.views.pages.common import rate_limited, safe_next, signed_in, viewer


def detail(request: HttpRequest, username: str) -> HttpResponse:
    found = users.page(
        username,
        viewer(request),
        request.GET.get("page"),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(request, "users/detail.html", {"page": found})


def listing(request: HttpRequest) -> HttpResponse:
    found = users.listing(
        request.GET.get("page"), after=request.GET.get("after"), before=request.GET.get("before")
    )
    return render(request, "users/list.html", {"page": found})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    initial = {
        "display_name": user.display_name,
        "description": user.description_markdown,
        "orcid": user.orcid,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            users.update_profile(user, users.ProfileChange(**form.cleaned_data))
        except InvalidInput as error:
            for field, errors in error.field_errors.items():
                for message in errors:
                    form.add_error(field, message)
        else:
            messages.success(request, "Profile saved.")
            return redirect("profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "users/profile.html", {"form": form}, status=status)


@login_required
@require_POST
@rate_limited("following")
def block(request: HttpRequest, username: str) -> HttpResponse:
    person = blocks.block(signed_in(request), username)
    messages.success(
        request,
        f"You blocked {person.shown_name}: their comments, replies and mentions no longer "
        "notify you. They are not told.",
    )
    return redirect(safe_next(request, reverse("blocks")))


@login_required
@require_POST
@rate_limited("following")
def unblock(request: HttpRequest, username: str) -> HttpResponse:
    person = blocks.unblock(signed_in(request), username)
    messages.success(request, f"You unblocked {person.shown_name}.")
    return redirect(safe_next(request, reverse("blocks")))


@login_required
def blocked(request: HttpRequest) -> HttpResponse:
    return render(request, "users/blocks.html", {"blocks": blocks.listing(signed_in(request))})
