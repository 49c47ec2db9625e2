"""Sanitised HTML cut to a size in bytes at a top-level block boundary, for feed entries.

The excerpt (rendering/excerpt.py) bounds visible characters; a few formulas can still make
its MathML large, and /rss-full.xml carries whole summaries. `cut` keeps whole top-level
elements (a paragraph, a list, a display formula) while the UTF-8 bytes fit, so the result is
never a tag, a formula or an entity cut in two; the caller adds its "read more" link.
"""

from __future__ import annotations

from html.parser import HTMLParser

# Elements that never have an end tag: they open no block.
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
})  # fmt: skip


class _Boundaries(HTMLParser):
    """Offsets (in characters) just after each top-level element or text run ends."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.html = html
        self.depth = 0
        self.ends: list[int] = []
        self._lines = [0]
        for line in html.splitlines(keepends=True):
            self._lines.append(self._lines[-1] + len(line))

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return None

    def handle_endtag(self, tag: str) -> None:
        self.depth = max(0, self.depth - 1)
        if self.depth == 0:
            # getpos() is the start of this end tag; the boundary is after its ">".
            self.ends.append(self.html.index(">", self._offset()) + 1)


def cut(html: str, max_bytes: int) -> tuple[str, bool]:
    """`html` if its UTF-8 fits in `max_bytes`, else its longest prefix of whole top-level
    elements that does (possibly empty), and whether anything was left out."""
    if len(html.encode()) <= max_bytes:
        return html, False
    parser = _Boundaries(html)
    parser.feed(html)
    parser.close()
    kept = ""
    for end in parser.ends:
        if len(html[:end].encode()) > max_bytes:
            break
        kept = html[:end]
    kept = kept.rstrip()
    # Only the trailing white space was over: nothing a reader misses.
    return kept, kept != html.rstrip()
