"""Links to a person's identity elsewhere: `{{ orcid|orcid_url }}` is the ORCID record on the
ORCID host the site signs in with (ORCID_BASE_DOMAIN: orcid.org, or sandbox.orcid.org)."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def orcid_url(orcid: str) -> str:
    return f"https://{settings.ORCID_BASE_DOMAIN}/{orcid}"
