"""`{% paper_sharing page as share %}`, `{% summary_sharing summary paper as share %}` and the
`ld_json` filter: what the paper and summary pages put in <head> to be shared and cited
(services/citations.py builds it; templates/papers/_meta_tags.html and _cite.html show it)."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from shortscience.models import Paper, Summary
from shortscience.services import citations
from shortscience.services.papers import PaperPage

register = template.Library()

# Inside <script> the HTML parser ends the element at "</script" whatever the JSON says: these
# three never appear raw, so no text from elsewhere can close the element or open a comment.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def paper_sharing(page: PaperPage) -> citations.PaperSharing:
    return citations.for_paper_page(
        page.paper, page.identifiers, [card.summary for card in page.cards]
    )


@register.simple_tag
def summary_sharing(summary: Summary, paper: Paper) -> citations.SummarySharing:
    return citations.for_summary_page(summary, paper)


@register.filter
def ld_json(data: dict[str, Any]) -> SafeString:
    """`data` as the text of a <script type="application/ld+json"> element, escaped for it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_SCRIPT_SAFE)
    return mark_safe(text)  # noqa: S308 -- the JSON above holds no raw <, > or &
