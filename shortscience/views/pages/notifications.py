"""Notifications: the list, marking read, the e-mail setting and the one-click unsubscribe
page that mails link to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from shortscience.models import User
from shortscience.services import notification_emails, notifications
from shortscience.views.pages.common import safe_next, signed_in


@login_required
def listing(request: HttpRequest) -> HttpResponse:
    found = notifications.page(signed_in(request), request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": found})


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notifications.mark_read(signed_in(request), notification_id)
    return redirect(safe_next(request, reverse("notifications")))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notifications.mark_all_read(signed_in(request))
    return redirect(safe_next(request, reverse("notifications")))


@login_required
def email_settings(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if request.method == "POST":
        notification_emails.set_choice(user, request.POST.get("email_notifications", ""))
        messages.success(request, "Notification e-mail setting saved.")
        return redirect("notification-settings")
    choices = User.EmailNotifications.choices
    return render(request, "notifications/settings.html", {"choices": choices})


# Exempt from CSRF on purpose: RFC 8058 one-click unsubscribe is a POST from the mail client
# with no cookie and no token. The signed token in the URL is what authorises it, and all it
# can do is turn notification mail off; GET only shows a confirmation page.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        person = notification_emails.unsubscribe(token)
        return render(request, "notifications/unsubscribed.html", {"person": person})
    person = notification_emails.user_for_token(token)
    return render(request, "notifications/unsubscribe.html", {"person": person, "token": token})
