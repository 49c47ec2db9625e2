"""Your data: download everything you wrote as a zip, and delete your account."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from shortscience.services import accounts, exports, ratelimits
from shortscience.services.errors import InvalidInput
from shortscience.views.pages.common import client_ip, reauthenticated, signed_in


class DeleteAccountForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[
            (
                accounts.Mode.ANONYMISE.value,
                "Keep my public summaries and comments, without my name",
            ),
            (accounts.Mode.DELETE.value, "Delete everything I wrote"),
        ],
        widget=forms.RadioSelect,
        label="What happens to what you wrote",
    )
    password = forms.CharField(widget=forms.PasswordInput, strip=False, label="Your password")


@login_required
def export(request: HttpRequest) -> HttpResponseBase:
    if request.method != "POST":
        return render(request, "account_data/export.html")
    user = signed_in(request)
    ratelimits.check("exporting", ip=client_ip(request), user_id=user.pk)
    name, archive = exports.build(user)
    response = FileResponse(
        archive, as_attachment=True, filename=name, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@reauthenticated(allow_get=True)
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None)
    if not signed_in(request).has_usable_password():
        del form.fields["password"]
    if request.method == "POST":
        # The password check below is a guessing oracle for whoever holds a stolen session.
        user = signed_in(request)
        ratelimits.check("account_deletion", ip=client_ip(request), user_id=user.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            accounts.delete_account(
                signed_in(request), data.get("password", ""), accounts.Mode(data["mode"])
            )
        except InvalidInput as error:
            form.add_error("password", error.message)
        else:
            logout(request)
            messages.success(request, "Your account was deleted. Goodbye, and thank you.")
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "account_data/delete.html", {"form": form}, status=status)
