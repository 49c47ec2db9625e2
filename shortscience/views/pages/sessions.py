"""Settings > Sessions: allauth lists the signed-in sessions and signs out all the others; this
ends one of them (a lost phone, a shared computer) from its row in that list.

Its route, `session-end`, is in shortscience/urls.py; the list is the template
usersessions/usersession_list.html.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from shortscience.services import accounts
from shortscience.views.pages.common import reauthenticated, signed_in


@login_required
@require_POST
@reauthenticated()
def end(request: HttpRequest, session_id: int) -> HttpResponse:
    ended = accounts.end_session(
        signed_in(request), session_id, current=request.session.session_key
    )
    messages.success(request, f"The session in {ended} was signed out.")
    return redirect("usersessions_list")
