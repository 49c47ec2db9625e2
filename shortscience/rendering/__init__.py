"""Markdown + LaTeX to sanitised HTML, pure and self-contained (no Django, no ORM).

Public API::

    RENDERER_VERSION: int     # stored beside each rendered document; bumped on change
    Rendered(html, math_errors, excerpt_html, truncated)
    render_markdown(source, *, heading_offset=2, cite_base="/cite/") -> Rendered
    render_markdown_many(sources, **same options) -> Iterator[Rendered]   # bulk: fewer V8 calls

Submodules: ``pipeline`` (entry point and parser set-up), ``math_syntax`` (math in
Markdown), ``math_engine`` (TeX to MathML with Temml in V8), ``excerpt`` (the opening
shown on list pages), ``links`` (``\\cite`` and bare URLs) and
``sanitize`` (the nh3 allow-list).
"""

from shortscience.rendering.pipeline import (
    RENDERER_VERSION,
    Rendered,
    render_markdown,
    render_markdown_many,
)

__all__ = ["RENDERER_VERSION", "Rendered", "render_markdown", "render_markdown_many"]
