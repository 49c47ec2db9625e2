"""People: profile pages, the users list and editing your own profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shortscience.services import users
from shortscience.services.errors import InvalidInput
from shortscience.views.forms import ProfileForm
from shortscience.views.pages.common import signed_in, viewer


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
