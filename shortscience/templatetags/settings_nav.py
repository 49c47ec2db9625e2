"""`{% settings_nav %}`: the one navigation of every settings page, ours (profile, notification
e-mail, API tokens, your data) and allauth's manage pages (e-mail, password, two-factor,
sessions, connected accounts), rendered by users/_settings_nav.html.

The page shown is found by its URL name: the link to it is marked `aria-current="page"`, and a
section's link is marked `aria-current="true"` on the pages inside it (activating an
authenticator app, the recovery codes and security keys are inside two-factor authentication).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django import template
from django.urls import reverse

register = template.Library()


class Section(NamedTuple):
    label: str
    url_name: str
    # Other URL names inside this section, or prefixes of them (ending with "_").
    inside: tuple[str, ...] = ()


SECTIONS: tuple[Section, ...] = (
    Section("Profile", "profile"),
    Section("Notification e-mail", "notification-settings"),
    Section("E-mail addresses", "account_email"),
    Section("Password", "account_change_password", ("account_set_password",)),
    # Every allauth.mfa page but the sign-in step is a step of this one.
    Section("Two-factor authentication", "mfa_index", ("mfa_",)),
    Section("Sessions", "usersessions_list"),
    Section("Connected accounts", "socialaccount_connections"),
    Section("Blocked people", "blocks"),
    Section("API tokens", "tokens"),
    Section("Export my data", "account-export"),
    Section("Delete my account", "account-delete"),
)


def current(section: Section, url_name: str) -> str:
    """What the link to `section` says of the page named `url_name`: "page", "true" or ""."""
    if url_name == section.url_name:
        return "page"
    for name in section.inside:
        if url_name == name or (name.endswith("_") and url_name.startswith(name)):
            return "true"
    return ""


@register.inclusion_tag("users/_settings_nav.html", takes_context=True)
def settings_nav(context: template.Context) -> dict[str, Any]:
    match = getattr(context.get("request"), "resolver_match", None)
    url_name = (match.url_name if match else "") or ""
    return {
        "items": [
            {
                "label": section.label,
                "url": reverse(section.url_name),
                "current": current(section, url_name),
            }
            for section in SECTIONS
        ]
    }
