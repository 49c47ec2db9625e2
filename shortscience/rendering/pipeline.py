"""The public entry point: Markdown + LaTeX source in, sanitised HTML out.

This module owns the parser configuration and the order of the steps:

1. clean the input (drop NUL and other C0 control characters, replace lone
   surrogates) so that nothing downstream can choke on it;
2. parse with markdown-it-py's ``commonmark`` preset, raw HTML off, plus tables,
   strikethrough, footnotes, math (``math_syntax``), citations and bare links
   (``links``) and heading demotion;
3. typeset every formula of the document as MathML, the ones not cached in one
   Temml call (``math_engine``);
4. pick the excerpt's blocks (``excerpt``);
5. render the tokens to HTML with a placeholder for each typeset formula, pass it through
   nh3 (``sanitize``) and put the formulas' MathML (sanitised when typeset) in. When the
   excerpt is the document's leading blocks unchanged (the usual case) the document is
   rendered and sanitised once, with a mark where the excerpt ends; otherwise (a block
   cut short, footnote references dropped) the excerpt is rendered and sanitised apart.

It is pure: no Django, no database, no request. Callers store ``RENDERER_VERSION``
next to each rendered document and re-render when it changes.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from shortscience.rendering import excerpt, legacy
from shortscience.rendering.legacy import strong_closers_plugin
from shortscience.rendering.links import DEFAULT_CITE_BASE, links_plugin
from shortscience.rendering.math_engine import MathRequest, MathResult, render_math
from shortscience.rendering.math_syntax import (
    ENV_INLINE_MATHML,
    PLACEHOLDER_CLOSE,
    PLACEHOLDER_OPEN,
    MathProblem,
    attach_math_results,
    collect_math,
    fill_placeholders,
    math_error_messages,
    math_plugin,
    math_problems,
)
from shortscience.rendering.mentions import mentions_plugin
from shortscience.rendering.sanitize import DEFAULT_RELATIVE_PREFIXES, sanitize_html

#: Bump whenever the HTML produced for the same source may change.
#: 2: MathML only (Temml) instead of KaTeX's HTML + MathML; the excerpt.
#: 3: the old site's summaries (rendering/legacy.py): MathJax 2 macros, inline environments in
#:    display mode, **Label: ** closing, bare image URLs anywhere; scrollable display formulas.
RENDERER_VERSION = 3

DEFAULT_HEADING_OFFSET = 2
#: ``render_markdown_many`` typesets this many documents, or formulas, per engine call: enough
#: to make the call's fixed cost vanish, few enough to stay far inside its time budget.
MANY_DOCUMENTS = 50
MANY_FORMULAS = 1000

# C0 controls except TAB, LF and CR, plus DEL; NUL is among them. The two private-use
# characters that mark formulas in the rendered HTML become U+FFFD, so a text cannot
# forge a formula's placeholder.
_CONTROL_CHARS: dict[int, int | None] = {
    **dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]),
    ord(PLACEHOLDER_OPEN): 0xFFFD,
    ord(PLACEHOLDER_CLOSE): 0xFFFD,
}
_SURROGATES_RE = re.compile("[\ud800-\udfff]")
# Put between the excerpt's blocks and the rest of the document before sanitising: two
# formula openers in a row, which no render rule writes and no source can hold. Between two
# top-level blocks it is text at the top of the tree, where the sanitiser leaves it.
EXCERPT_MARK = PLACEHOLDER_OPEN * 2


@dataclass(frozen=True)
class Rendered:
    """Sanitised HTML plus one human-readable message per formula the engine rejected.

    ``excerpt_html`` is the opening of the document for list pages (``excerpt``), and
    ``truncated`` says whether it leaves anything out (then the page links to the rest).
    """

    html: str
    math_errors: tuple[str, ...] = ()
    excerpt_html: str = ""
    truncated: bool = False
    # The same failures for the writer's list: line, formula and message each.
    math_problems: tuple[MathProblem, ...] = ()


def _demote_headings(state: StateCore) -> None:
    """Core rule: shift heading levels by ``env["heading_offset"]``, never past h6."""
    offset = state.env.get("heading_offset", 0)
    if not offset:
        return
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1:]) + offset
            token.tag = f"h{min(max(level, 1), 6)}"


def build_parser() -> MarkdownIt:
    """The markdown-it parser behind ``render_markdown``, without typesetting or sanitising.

    Options that vary per call (heading offset, citation base URL) are read from the
    ``env`` dict passed to ``parse``/``render``, so one parser can serve every call.
    """
    md = MarkdownIt("commonmark", {"html": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(math_plugin)
    md.use(links_plugin)
    md.use(strong_closers_plugin)  # the old site's **Label: ** (rendering/legacy.py)
    md.use(mentions_plugin)
    md.core.ruler.push("demote_headings", _demote_headings)
    return md


_local = threading.local()


def _parser() -> MarkdownIt:
    # markdown-it keeps per-parse state out of the MarkdownIt object, but its rule
    # caches are built lazily; one parser per thread keeps that free of races.
    md: MarkdownIt | None = getattr(_local, "md", None)
    if md is None:
        md = build_parser()
        _local.md = md
    return md


def _excerpt_end(tokens: list[Token], opening: excerpt.Excerpt) -> int | None:
    """How many leading tokens the excerpt is, when it is whole top-level blocks of the
    document, unchanged (no block trimmed, no footnote reference dropped); else None."""
    end = len(opening.tokens)
    if not 0 < end < len(tokens) or tokens[end - 1].level or tokens[end].level:
        return None
    if any(mine is not theirs for mine, theirs in zip(opening.tokens, tokens, strict=False)):
        return None
    return end


def clean_source(source: str) -> str:
    """Make arbitrary text safe to feed to the parser, V8 and the sanitiser."""
    text = source.translate(_CONTROL_CHARS)
    return _SURROGATES_RE.sub("\ufffd", text)


def _relative_prefixes(cite_base: str) -> tuple[str, ...]:
    parts = urlsplit(cite_base)
    if parts.scheme or parts.netloc or not cite_base.startswith("/"):
        return DEFAULT_RELATIVE_PREFIXES
    if cite_base in DEFAULT_RELATIVE_PREFIXES:
        return DEFAULT_RELATIVE_PREFIXES
    return (*DEFAULT_RELATIVE_PREFIXES, cite_base)


@dataclass
class _Parsed:
    """A document between parsing and typesetting: what ``_finish`` needs."""

    md: MarkdownIt
    env: dict[str, Any]
    tokens: list[Token]
    requests: list[MathRequest]
    min_heading: int
    prefixes: tuple[str, ...]


def _parse(
    source: str,
    heading_offset: int,
    cite_base: str,
    cite_label: Callable[[str], str | None] | None,
    mentions: Mapping[str, str] | None = None,
) -> _Parsed | None:
    text = clean_source(source)
    if not text.strip():
        return None
    offset = min(max(heading_offset, 0), 5)
    md = _parser()
    env: dict[str, Any] = {
        "heading_offset": offset,
        "cite_base": cite_base,
        "cite_label": cite_label,
        "mentions": mentions,  # usernames that exist -> their page (rendering/mentions.py)
        # Footnote ids carry a digest of the source, so several documents on one page
        # never share an id, and the preview of a text equals its published HTML.
        "docId": hashlib.sha256(text.encode("utf-8")).hexdigest()[:8],
    }
    tokens = md.parse(text, env)
    requests = legacy.carry_definitions(collect_math(tokens))
    return _Parsed(md, env, tokens, requests, 1 + offset, _relative_prefixes(cite_base))


def render_markdown(
    source: str,
    *,
    heading_offset: int = DEFAULT_HEADING_OFFSET,
    cite_base: str = DEFAULT_CITE_BASE,
    cite_label: Callable[[str], str | None] | None = None,
    mentions: Mapping[str, str] | None = None,
) -> Rendered:
    """Render user-written Markdown with LaTeX math to sanitised HTML.

    Never raises for any input text: broken formulas become visible inline errors
    (listed in ``math_errors``) while the rest of the document renders.
    ``cite_label`` maps a citation key to its link text (e.g. the paper's title);
    the key itself is shown when it returns None.
    """
    parsed = _parse(source, heading_offset, cite_base, cite_label, mentions)
    if parsed is None:
        return Rendered(html="")
    return _finish(parsed, render_math(parsed.requests))


def render_markdown_many(
    sources: Iterable[str],
    *,
    heading_offset: int = DEFAULT_HEADING_OFFSET,
    cite_base: str = DEFAULT_CITE_BASE,
    cite_label: Callable[[str], str | None] | None = None,
    mentions: Mapping[str, str] | None = None,
) -> Iterator[Rendered]:
    """``render_markdown`` of each source, in order, typesetting the formulas of up to
    ``MANY_DOCUMENTS`` documents (``MANY_FORMULAS`` formulas) in one engine call.

    For bulk work (re-rendering everything, imports): the same HTML as one call per
    document, without one trip into V8 per document.
    """
    batch: list[_Parsed | None] = []
    formulas = 0
    for source in sources:
        parsed = _parse(source, heading_offset, cite_base, cite_label, mentions)
        batch.append(parsed)
        formulas += len(parsed.requests) if parsed is not None else 0
        if len(batch) >= MANY_DOCUMENTS or formulas >= MANY_FORMULAS:
            yield from _finish_many(batch)
            batch, formulas = [], 0
    yield from _finish_many(batch)


def _finish_many(batch: list[_Parsed | None]) -> Iterator[Rendered]:
    results = render_math([r for parsed in batch if parsed is not None for r in parsed.requests])
    # The engine failed the whole call (one document's formula ran out of time or memory):
    # typeset each document alone, so only the document that caused it shows the failure.
    alone = any(result.transient for result in results)
    start = 0
    for parsed in batch:
        if parsed is None:
            yield Rendered(html="")
            continue
        stop = start + len(parsed.requests)
        mine = render_math(parsed.requests) if alone else results[start:stop]
        yield _finish(parsed, mine)
        start = stop


def _finish(parsed: _Parsed, results: list[MathResult]) -> Rendered:
    """Typeset results in, the document and its excerpt out, both sanitised."""
    md, env, tokens, requests = parsed.md, parsed.env, parsed.tokens, parsed.requests
    attach_math_results(env, results)

    def sanitised(html: str) -> str:
        # Error titles quote the engine, which can split an astral character in two.
        html = _SURROGATES_RE.sub("\ufffd", html)
        return sanitize_html(
            html, min_heading=parsed.min_heading, relative_prefixes=parsed.prefixes
        )

    def slowly(selected: list[Token]) -> str:
        # Never expected: sanitise the document with its MathML in place.
        return sanitised(md.renderer.render(selected, md.options, {**env, ENV_INLINE_MATHML: True}))

    def to_html(selected: list[Token]) -> str:
        # The formulas were sanitised when typeset; sanitise the rest, then put them in.
        html = md.renderer.render(selected, md.options, env)
        filled = fill_placeholders(sanitised(html), results)
        return slowly(selected) if filled is None else filled

    errors = tuple(
        _SURROGATES_RE.sub("\ufffd", message) for message in math_error_messages(requests, results)
    )
    problems = tuple(math_problems(tokens, results))
    opening = excerpt.select(tokens)
    if opening is None:
        clean = to_html(tokens)
        return Rendered(html=clean, math_errors=errors, excerpt_html=clean, math_problems=problems)
    end = _excerpt_end(tokens, opening)
    if end is not None:
        # The excerpt is the document's leading blocks as they are: one render and one
        # sanitiser pass give both, cut where the mark between the two parts ends up.
        html = (
            md.renderer.render(tokens[:end], md.options, env)
            + EXCERPT_MARK
            + md.renderer.render(tokens[end:], md.options, env)
        )
        parts = sanitised(html).split(EXCERPT_MARK)
        if len(parts) == 2:
            head = fill_placeholders(parts[0], results)
            tail = fill_placeholders(parts[1], results)
            if head is not None and tail is not None:
                return Rendered(
                    html=head + tail,
                    math_errors=errors,
                    math_problems=problems,
                    excerpt_html=head,
                    truncated=opening.truncated,
                )
    return Rendered(
        html=to_html(tokens),
        math_errors=errors,
        math_problems=problems,
        excerpt_html=to_html(opening.tokens),
        truncated=opening.truncated,
    )
