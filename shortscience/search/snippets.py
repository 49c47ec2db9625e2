"""Snippets: a window of a document's text around the words searched for, as safe HTML; and the
text itself, as the index stores it.

Pure (no Django, no database), so the same snippet comes from SQLite and PostgreSQL.

The stored text (`document_text`) is what a reader sees of the Markdown, from the renderer's own
token stream: link text without its target, emphasis and heading marks dropped, images as their
alt text, a line per block. Formulas keep their TeX and citations their keys (people search for
both), each wrapped in control characters that no source can hold (the renderer's
`clean_source` strips them) and that both engines' tokenisers treat as spaces: MATH_OPEN ... END
around a formula, CITE_OPEN key END around each cited key.

A snippet (`window`, then `render`) escapes everything first and only then adds markup:
matching words in <mark> (by a light stem: networks ~ network, learning ~ learned, close enough
to what both engines' stemmers matched to show the reader why a document was found), a formula's
TeX in <code class="tex">, a citation as <cite> with the cited paper's title when the caller knows
it (else the key). Work per hit is bounded: at most MAX_SCAN characters are looked at.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token

from shortscience.rendering.math_syntax import (
    BLOCK_MATH_TOKENS,
    INLINE_MATH_TOKENS,
    formula_source,
)
from shortscience.rendering.pipeline import build_parser, clean_source

MATH_OPEN, CITE_OPEN, END = "\x0e", "\x10", "\x0f"
_MARKERS = re.compile("[\x0e\x0f\x10]")
_WORD = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")  # not the markers: str.isspace() is false for them
_SUFFIXES = ("ings", "ing", "edly", "ed", "es", "s", "ly")
MAX_SCAN = 20_000  # characters of a long document looked at for the window
TITLE_MAX = 90  # characters of a cited title shown, as on the rendered page


# The stored text


_local = threading.local()


def _parser() -> MarkdownIt:
    md: MarkdownIt | None = getattr(_local, "md", None)
    if md is None:  # one per thread: markdown-it builds its rule caches lazily
        md = _local.md = build_parser()
    return md


def document_text(markdown: str) -> str:
    """The words of a Markdown + LaTeX document as a reader sees them, formulas and citation
    keys marked (see the module docstring)."""
    lines: list[str] = []
    for token in _parser().parse(clean_source(markdown), {}):
        if token.type == "inline":
            lines.append("".join(_inline_text(child) for child in token.children or ()))
        elif token.type in BLOCK_MATH_TOKENS:
            lines.append(MATH_OPEN + formula_source(token).strip() + END)
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.rstrip("\n"))
    return "\n".join(line for line in lines if line.strip())


def _inline_text(child: Token) -> str:
    if child.type in ("text", "code_inline", "image"):
        return child.content
    if child.type in ("softbreak", "hardbreak"):
        return " "
    if child.type in INLINE_MATH_TOKENS:
        return MATH_OPEN + formula_source(child) + END
    if child.type == "cite":
        return ", ".join(CITE_OPEN + key + END for key in child.meta["keys"])
    return ""  # emphasis and link marks, footnote references: not words


# Snippets


@lru_cache(maxsize=65_536)  # a page of hits repeats the same few thousand words
def stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Window:
    """Where a snippet starts and ends in a document's (scanned, space-normalised) text."""

    text: str
    begin: int
    finish: int
    tokens: tuple[str, ...]

    def cited(self) -> list[str]:
        """The citation keys inside the window, for the caller to find titles for."""
        part = self.text[self.begin : self.finish]
        return re.findall(f"{CITE_OPEN}([^{END}{CITE_OPEN}{MATH_OPEN}]*){END}", part)


def window(text: str, tokens: tuple[str, ...], words: int = 40) -> Window:
    """About `words` words of `text` around the first match (or its start); a citation is
    never cut in two."""
    text = _SPACE.sub(" ", text[:MAX_SCAN]).strip()
    found = list(_WORD.finditer(text))
    if not found:
        return Window(text, 0, min(len(text), 300), tokens)
    stems = frozenset(stem(t) for t in tokens)
    first = _first_match(text, stems, [m.start() for m in found])
    start = max(0, first - words // 4)
    end = min(len(found), start + words)
    begin = 0 if start == 0 else found[start].start()
    finish = len(text) if end == len(found) else found[end - 1].end()
    begin, finish = _whole_citations(text, begin, finish)
    return Window(text, begin, finish, tokens)


def _whole_citations(text: str, begin: int, finish: int) -> tuple[int, int]:
    opened = text.rfind(CITE_OPEN, 0, begin)
    if opened != -1 and text.rfind(END, opened, begin) == -1:
        begin = opened
    opened = text.rfind(CITE_OPEN, begin, finish)
    if opened != -1 and text.find(END, opened, finish) == -1:
        closed = text.find(END, finish)
        finish = len(text) if closed == -1 else closed + 1
    return begin, finish


def _first_match(text: str, stems: frozenset[str], starts: list[int]) -> int:
    """Index (in words) of the first matching word, or 0. A word matches only if it begins
    with a stem, so a regular expression skips the rest without stemming every word."""
    if not stems:
        return 0
    alternatives = "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
    for found in re.finditer(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", text, re.IGNORECASE):
        if stem(found.group()) in stems:
            return bisect_left(starts, found.start())
    return 0


def render(where: Window, titles: Mapping[str, str] | None = None) -> str:
    """The window as escaped HTML with an ellipsis where text was cut; `titles` gives the
    cited papers' titles by key."""
    text, begin, finish = where.text, where.begin, where.finish
    stems = frozenset(stem(t) for t in where.tokens)
    in_math = _inside_math(text, begin)
    out = ["… " if begin else "", '<code class="tex">' if in_math else ""]
    at = begin
    for marker in _MARKERS.finditer(text, begin, finish):
        piece = text[at : marker.start()]
        char = marker.group()
        if char == CITE_OPEN:
            out.append(_marked(piece, stems))
            closed = text.find(END, marker.end(), finish)
            closed = finish if closed == -1 else closed
            out.append(_cite(text[marker.end() : closed], stems, titles or {}))
            at = closed + 1
            continue
        if at > marker.start():
            continue  # the END of a citation already written
        out.append(_marked(piece, stems))
        if char == MATH_OPEN and not in_math:
            out.append('<code class="tex">')
            in_math = True
        elif char == END and in_math:
            out.append("</code>")
            in_math = False
        at = marker.end()
    out.append(_marked(text[at:finish], stems) if at < finish else "")
    if in_math:
        out.append("</code>")
    out.append(" …" if finish < len(text) else "")
    return "".join(out)


def _inside_math(text: str, at: int) -> bool:
    opened = text.rfind(MATH_OPEN, 0, at)
    return opened != -1 and text.find(END, opened, at) == -1


def _cite(key: str, stems: frozenset[str], titles: Mapping[str, str]) -> str:
    title = titles.get(key)
    if not title:
        return f'<cite class="cite">{_marked(key, stems)}</cite>'
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + "…"
    shown = f'<cite class="cite" title="{escape(key)}">{_marked(title, stems)}</cite>'
    if any(stem(word) in stems for word in _WORD.findall(key)):
        shown += f" [{_marked(key, stems)}]"  # the key is what matched: show why
    return shown


def _marked(text: str, stems: frozenset[str]) -> str:
    """`text`, escaped, with matching words in <mark>."""
    out: list[str] = []
    at = 0
    for match in _WORD.finditer(text):
        if stem(match.group()) in stems:
            out.append(escape(text[at : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            at = match.end()
    out.append(escape(text[at:]))
    return "".join(out)


def snippet(
    text: str,
    tokens: tuple[str, ...],
    words: int = 40,
    titles: Mapping[str, str] | None = None,
) -> str:
    """About `words` words of `text` around the first match, as safe HTML (see `render`)."""
    return render(window(text, tokens, words), titles)


def highlight(text: str, tokens: tuple[str, ...]) -> str:
    """All of `text` (up to MAX_SCAN), escaped, with matching words marked."""
    scanned = _SPACE.sub(" ", text[:MAX_SCAN]).strip()
    return render(Window(scanned, 0, len(scanned), tokens))
