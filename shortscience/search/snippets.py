"""Snippets: a window of a document's text around the words searched for, as safe HTML.

Pure (no Django, no database), so the same snippet comes from SQLite and PostgreSQL. Everything
is escaped first and only then are matching words wrapped in <mark>; the text itself can never
add markup. Matching is by a light stem (networks ~ network, learning ~ learned), close enough
to what both engines' stemmers matched to show the reader why a document was found.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from html import escape

_WORD = re.compile(r"[^\W_]+")
_SUFFIXES = ("ings", "ing", "edly", "ed", "es", "s", "ly")
MAX_SCAN = 20_000  # characters of a long document looked at for the window


@lru_cache(maxsize=65_536)  # a page of hits repeats the same few thousand words
def stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _matches(word: str, stems: frozenset[str]) -> bool:
    return stem(word) in stems


def highlight(text: str, tokens: tuple[str, ...]) -> str:
    """All of `text`, escaped, with matching words marked."""
    return _render(text, tokens, 0, len(text))


def snippet(text: str, tokens: tuple[str, ...], words: int = 40) -> str:
    """About `words` words of `text` around the first match (or its start), escaped, with
    matching words marked and an ellipsis where text was cut."""
    text = " ".join(text[:MAX_SCAN].split())
    found = list(_WORD.finditer(text))
    if not found:
        return escape(text[:300])
    stems = frozenset(stem(t) for t in tokens)
    first = _first_match(text, stems, [m.start() for m in found])
    start = max(0, first - words // 4)
    end = min(len(found), start + words)
    begin = 0 if start == 0 else found[start].start()
    finish = len(text) if end == len(found) else found[end - 1].end()
    html = _render(text, tokens, begin, finish)
    return ("… " if begin else "") + html + (" …" if finish < len(text) else "")


def _first_match(text: str, stems: frozenset[str], starts: list[int]) -> int:
    """Index (in words) of the first matching word, or 0. A word matches only if it begins
    with a stem, so a regular expression skips the rest without stemming every word."""
    if not stems:
        return 0
    alternatives = "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
    for found in re.finditer(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", text, re.IGNORECASE):
        if _matches(found.group(), stems):
            return bisect_left(starts, found.start())
    return 0


def _render(text: str, tokens: tuple[str, ...], begin: int, finish: int) -> str:
    stems = frozenset(stem(t) for t in tokens)
    out: list[str] = []
    at = begin
    for match in _WORD.finditer(text, begin, finish):
        if _matches(match.group(), stems):
            out.append(escape(text[at : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            at = match.end()
    out.append(escape(text[at:finish]))
    return "".join(out)
