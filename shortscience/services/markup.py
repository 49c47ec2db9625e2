"""The site's one call into the renderer: Markdown + math with citations labelled by title.

Every service that stores rendered HTML (summaries, comments, profiles, venues) and the live
preview go through `render`, so the preview is exactly what publishing stores.
"""

from __future__ import annotations

from shortscience.rendering import Rendered, render_markdown
from shortscience.services import identifiers

CITE_LABEL_MAX = 90


def cite_label(key: str) -> str | None:
    """The title of the paper a citation key names, shortened; None for an unknown key."""
    paper = identifiers.find_paper(key)
    if paper is None:
        return None
    title = paper.title
    return title if len(title) <= CITE_LABEL_MAX else title[: CITE_LABEL_MAX - 1] + "…"


def render(source: str, *, heading_offset: int = 2) -> Rendered:
    return render_markdown(source, heading_offset=heading_offset, cite_label=cite_label)
