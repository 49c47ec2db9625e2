"""`{% wanted_count paper_id %}`: how many readers want a summary of a paper (one query on the
stored count), for the paper page's request box."""

from __future__ import annotations

from django import template

from shortscience.services import wanted

register = template.Library()


@register.simple_tag
def wanted_count(paper_id: int) -> int:
    return wanted.count_for(paper_id)
