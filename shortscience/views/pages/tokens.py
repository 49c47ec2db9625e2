"""Settings > API tokens: list your tokens, create one (its secret is shown once, on the answer
to the form, and never again) and revoke one.

Its two routes, `tokens` and `token-revoke`, are in shortscience/urls.py.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shortscience.models import ApiToken
from shortscience.services import tokens
from shortscience.services.errors import InvalidInput
from shortscience.views.pages.common import reauthenticated, signed_in


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Name", help_text="What it is for, e.g. 'my reading list script'"
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ, widget=forms.RadioSelect
    )


@login_required
# Creating a token hands out a lasting key to the account: whoever does it proves they are the
# owner again (password or second factor) if their last proof is older than a few minutes.
@reauthenticated(allow_get=True)
def listing(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = TokenForm(request.POST if request.method == "POST" else None)
    plaintext = ""
    if request.method == "POST" and form.is_valid():
        try:
            _, plaintext = tokens.create(
                user, form.cleaned_data["name"], form.cleaned_data["scope"]
            )
        except InvalidInput as error:
            form.add_error(None, error.message)
        else:
            form = TokenForm()
    status = 400 if request.method == "POST" and not plaintext else 200
    response = render(
        request,
        "tokens/list.html",
        {"form": form, "tokens": list(tokens.active(user)), "plaintext": plaintext},
        status=status,
    )
    # The page may hold a secret: no cache, and no back-button copy, may keep it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@reauthenticated()
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = tokens.revoke(signed_in(request), token_id)
    messages.success(request, f"The token “{token.name}” ({token.prefix}…) was revoked.")
    return redirect("tokens")
