"""The site's one call into the renderer: Markdown + math with citations labelled by title.

Every service that stores rendered HTML (summaries, comments, profiles, venues) and the live
preview go through `render`, so the preview is exactly what publishing stores. The titles of all
papers a text cites are loaded in one query before rendering. Bulk work (re-rendering every
summary) goes through `render_many`, which gives the same results with one title lookup and one
trip into the math engine per batch of documents instead of per document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import islice

from django.urls import reverse

from shortscience.models import Paper, User
from shortscience.rendering import Rendered, render_markdown, render_markdown_many
from shortscience.rendering.mentions import candidates
from shortscience.rendering.pipeline import MANY_DOCUMENTS
from shortscience.services import identifiers

CITE_LABEL_MAX = 90
MAX_CITED = 200
_CITE = re.compile(r"\\cite\{([^{}\\\n]{1,2000})\}")


def _short(title: str) -> str:
    return title if len(title) <= CITE_LABEL_MAX else title[: CITE_LABEL_MAX - 1] + "…"


def _cited_keys(source: str) -> list[str]:
    keys = {k.strip() for group in _CITE.findall(source) for k in group.split(",") if k.strip()}
    return sorted(keys)[:MAX_CITED]


def cited_titles(source: str) -> dict[str, str]:
    """Titles of the papers a text cites with \\cite{...}, by key, in two queries."""
    return _titles(_cited_keys(source))


def _titles(keys: Iterable[str]) -> dict[str, str]:
    found = identifiers.find_papers(sorted(set(keys)))
    titles = dict(Paper.objects.filter(pk__in=set(found.values())).values_list("pk", "title"))
    return {key: _short(titles[pid]) for key, pid in found.items() if pid in titles}


def mentioned_people(names: Iterable[str]) -> dict[str, str]:
    """The names that are active people's usernames -> their page, in one query (none when
    no name is given). Comments link and notify these (rendering/mentions.py)."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    found = User.objects.filter(username__in=wanted, is_active=True).values_list(
        "username", flat=True
    )
    return {name: reverse("user", args=[name]) for name in found}


def render(source: str, *, heading_offset: int = 2, mentions: bool = False) -> Rendered:
    """`mentions`: link @username to the people who exist (comments only)."""
    titles = cited_titles(source) if "\\cite{" in source else {}
    people = mentioned_people(candidates(source)) if mentions else None
    return render_markdown(
        source, heading_offset=heading_offset, cite_label=titles.get, mentions=people
    )


def render_many(
    sources: Iterable[str], *, heading_offset: int = 2, mentions: bool = False
) -> Iterator[Rendered]:
    """`render` of each source, in order, a batch of documents at a time."""
    items = iter(sources)
    while batch := list(islice(items, MANY_DOCUMENTS)):
        keys = [key for source in batch if "\\cite{" in source for key in _cited_keys(source)]
        titles = _titles(keys) if keys else {}
        people = (
            mentioned_people(name for source in batch for name in candidates(source))
            if mentions
            else None
        )
        yield from render_markdown_many(
            batch, heading_offset=heading_offset, cite_label=titles.get, mentions=people
        )
