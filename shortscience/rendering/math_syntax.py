"""Math in Markdown: finding formulas, typesetting them in one batch, emitting HTML.

This module owns everything between "a TeX formula sits somewhere in the Markdown"
and "its MathML is in the output":

* ``math_plugin`` adds the syntax to a ``MarkdownIt`` parser:

  - mdit-py-plugins' ``dollarmath`` for ``$..$`` and ``$$..$$`` (spaces allowed inside
    ``$ x $``; a digit right after the closing ``$`` means money, so "$5 and $10" stays
    text) and ``amsmath`` for top-level ``\\begin{align}`` ... environments;
  - our own rules for ``\\(..\\)`` (inline) and ``\\[..\\]`` (display, inline or as a
    block of its own). In CommonMark ``\\(`` is just an escaped ``(``, so the inline
    rule is registered *before* the ``escape`` rule;
  - a guard on the ``$`` rule: a candidate formula that contains a backtick is not
    math, so ``$`` signs inside a later code span (`` `echo $HOME` ``) never swallow
    that code span.

  Math tokens are produced before emphasis, escapes and links are parsed, so ``_``,
  ``*`` and backslashes inside formulas are never touched by Markdown.
* ``collect_math`` walks the parsed tokens, numbers every formula and returns one
  ``MathRequest`` per formula, so the pipeline can typeset the whole document in a
  single engine call; ``attach_math_results`` stores the answers in the render env.
* The render rules emit, for a typeset formula, a placeholder (``placeholder``): the
  pipeline sanitises the document without its formulas and then puts each formula's
  MathML, sanitised once when it was typeset (``math_engine``), in its place
  (``fill_placeholders``). Sanitising MathML is nine tenths of the sanitiser's work,
  and the same formulas recur. A broken formula becomes a visible
  ``<span class="math-error" title="reason">escaped source</span>`` in the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

from shortscience.rendering.math_engine import MathRequest, MathResult

#: Token types that hold a formula, and whether each is typeset in display mode.
INLINE_MATH_TOKENS = {"math_inline": False, "math_inline_double": True}
BLOCK_MATH_TOKENS = {"math_block": True, "math_block_label": True, "amsmath": True}

_ENV_RESULTS = "shortscience_math_results"
#: Set in the render env to write each formula's MathML in place instead of a placeholder.
ENV_INLINE_MATHML = "shortscience_inline_mathml"
# Private-use characters: the pipeline maps them out of the source, so only the render
# rules below can produce them, and only in element content (never in an attribute).
PLACEHOLDER_OPEN = "\ue000"
PLACEHOLDER_CLOSE = "\ue001"
_PLACEHOLDER_RE = re.compile(f"{PLACEHOLDER_OPEN}([0-9]{{1,6}}){PLACEHOLDER_CLOSE}")
_META_INDEX = "math_index"
_BLOCK_MATH = '<math display="block"'
_MAX_TITLE_CHARS = 300

InlineRule = Callable[[StateInline, bool], bool]


def math_plugin(md: MarkdownIt) -> None:
    """Add ``$``, ``$$``, ``\\(..\\)``, ``\\[..\\]`` and amsmath syntax plus render rules."""
    md.use(
        dollarmath_plugin,
        allow_labels=False,
        allow_space=True,
        allow_digits=False,
        allow_blank_lines=False,
        double_inline=True,
    )
    md.use(amsmath_plugin)
    md.inline.ruler.at("math_inline", _reject_backticks(_dollar_rule(md)))
    md.inline.ruler.before("escape", "math_bracket_inline", bracket_math_inline)
    md.block.ruler.before(
        "fence",
        "math_bracket_block",
        bracket_math_block,
        {"alt": ["paragraph", "reference", "blockquote", "list", "footnote_def"]},
    )
    for name in INLINE_MATH_TOKENS:
        md.add_render_rule(name, _render_inline_math)
    for name in BLOCK_MATH_TOKENS:
        md.add_render_rule(name, _render_block_math)


def _dollar_rule(md: MarkdownIt) -> InlineRule:
    for rule in md.inline.ruler.__rules__:
        if rule.name == "math_inline":
            return rule.fn
    raise LookupError("dollarmath did not register its math_inline rule")


def _reject_backticks(rule: InlineRule) -> InlineRule:
    """Wrap the ``$`` rule so a span containing a backtick is never taken as math."""

    def guarded(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not rule(state, True):
            return False
        end = state.pos
        state.pos = start
        if "`" in state.src[start:end]:
            return False
        if silent:
            state.pos = end
            return True
        return rule(state, False)

    return guarded


def _find_unescaped(src: str, needle: str, start: int, limit: int) -> int:
    """Index of ``needle`` (which starts with a backslash) not preceded by an odd run of ``\\``."""
    index = src.find(needle, start, limit)
    while index >= 0:
        run = 0
        back = index - 1
        while back >= start and src[back] == "\\":
            run += 1
            back -= 1
        if run % 2 == 0:
            return index
        index = src.find(needle, index + 1, limit)
    return -1


def bracket_math_inline(state: StateInline, silent: bool) -> bool:
    """Inline rule for ``\\(tex\\)`` and ``\\[tex\\]`` inside a paragraph."""
    pos = state.pos
    if state.src[pos] != "\\" or pos + 1 >= state.posMax:
        return False
    opener = state.src[pos + 1]
    if opener == "(":
        closer, token_type = "\\)", "math_inline"
    elif opener == "[":
        closer, token_type = "\\]", "math_inline_double"
    else:
        return False
    end = _find_unescaped(state.src, closer, pos + 2, state.posMax)
    if end < 0:
        return False
    content = state.src[pos + 2 : end]
    if not content.strip() or "`" in content:
        return False
    if not silent:
        token = state.push(token_type, "math", 0)
        token.content = content
        token.markup = "\\" + opener
    state.pos = end + 2
    return True


def bracket_math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule for display math that starts a line with ``\\[`` and ends one with ``\\]``."""
    if state.is_code_block(start_line):
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("\\[", begin):
        return False
    lines: list[str] = []
    line = start_line
    text = state.src[begin + 2 : state.eMarks[start_line]]
    while True:
        stripped = text.rstrip()
        if stripped.endswith("\\]") and _find_unescaped(stripped, "\\]", 0, len(stripped)) == (
            len(stripped) - 2
        ):
            lines.append(stripped[:-2])
            break
        if "\\]" in text and _find_unescaped(text, "\\]", 0, len(text)) >= 0:
            return False  # closes mid-line with text after it: leave it to the inline rule
        lines.append(text)
        line += 1
        if line >= end_line or state.isEmpty(line) or state.sCount[line] < state.blkIndent:
            return False
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
    content = "\n".join(lines)
    if not content.strip():
        return False
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = content
    token.markup = "\\["
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


def _formula_tokens(tokens: Sequence[Token]) -> list[tuple[Token, bool]]:
    found: list[tuple[Token, bool]] = []
    for token in tokens:
        if token.type in BLOCK_MATH_TOKENS:
            found.append((token, BLOCK_MATH_TOKENS[token.type]))
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type in INLINE_MATH_TOKENS:
                    found.append((child, INLINE_MATH_TOKENS[child.type]))
    return found


def formula_source(token: Token) -> str:
    """The TeX that Temml receives for a math token."""
    return token.content if token.type == "amsmath" else token.content.strip()


def collect_math(tokens: Sequence[Token]) -> list[MathRequest]:
    """Number every formula in ``tokens`` and return them in document order."""
    requests: list[MathRequest] = []
    for token, display in _formula_tokens(tokens):
        token.meta[_META_INDEX] = len(requests)
        requests.append(MathRequest(tex=formula_source(token), display=display))
    return requests


def attach_math_results(env: dict[str, Any], results: Sequence[MathResult]) -> None:
    """Make typeset results available to the render rules through ``env``."""
    env[_ENV_RESULTS] = list(results)


def math_error_messages(
    requests: Sequence[MathRequest], results: Sequence[MathResult]
) -> list[str]:
    """One human-readable line per formula that failed, naming the formula."""
    messages = []
    for request, result in zip(requests, results, strict=True):
        if result.error is not None:
            snippet = " ".join(request.tex.split())
            if len(snippet) > 60:
                snippet = snippet[:57] + "..."
            messages.append(f"{result.error} (in formula: {snippet})")
    return messages


_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class MathProblem:
    """A formula the engine rejected: the source line it starts on (1-based; 0 when the
    parser gave no position), its TeX as written and the engine's message."""

    line: int
    formula: str
    message: str


def math_problems(tokens: Sequence[Token], results: Sequence[MathResult]) -> list[MathProblem]:
    """One ``MathProblem`` per formula that failed, in document order, for the writer's list
    (``math_error_messages`` is the same in one line of text each)."""
    problems = []
    for token in tokens:
        found: list[tuple[Token, int]] = []
        start = token.map[0] + 1 if token.map else 0
        if token.type in BLOCK_MATH_TOKENS:
            found.append((token, start))
        elif token.type == "inline" and token.children:
            line = start
            for child in token.children:
                if child.type in INLINE_MATH_TOKENS:
                    found.append((child, line))
                # Line breaks inside a paragraph are tokens of their own, or sit in a formula.
                if line and child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif line:
                    line += child.content.count("\n")
        for math, line in found:
            index = math.meta.get(_META_INDEX) if math.meta else None
            if not isinstance(index, int) or not 0 <= index < len(results):
                continue
            error = results[index].error
            if error is not None:
                # The engine's message can split an astral character in two.
                message = _LONE_SURROGATE_RE.sub("\ufffd", error)
                problems.append(MathProblem(line, formula_source(math), message))
    return problems


def _result_for(token: Token, env: dict[str, Any]) -> MathResult | None:
    results = env.get(_ENV_RESULTS)
    index = token.meta.get(_META_INDEX) if token.meta else None
    if isinstance(results, list) and isinstance(index, int) and 0 <= index < len(results):
        result = results[index]
        return result if isinstance(result, MathResult) else None
    return None


def _math_html(token: Token, env: dict[str, Any]) -> str:
    result = _result_for(token, env)
    source = escapeHtml(formula_source(token))
    if result is None:
        # Parsed but never typeset (e.g. the parser used on its own): show the source.
        return f'<span class="math-source">{source}</span>'
    if result.html is not None:
        if env.get(ENV_INLINE_MATHML):
            return result.html
        return f"{PLACEHOLDER_OPEN}{token.meta[_META_INDEX]}{PLACEHOLDER_CLOSE}"
    reason = (result.error or "Unknown error")[:_MAX_TITLE_CHARS]
    return f'<span class="math-error" title="{escapeHtml(reason)}">{source}</span>'


def fill_placeholders(html: str, results: Sequence[MathResult]) -> str | None:
    """``html`` with each placeholder replaced by its formula's MathML.

    None if the placeholders are not exactly the typeset formulas, each once (then the
    caller must not trust the result); that cannot happen with our render rules.
    """
    seen: set[int] = set()

    def mathml(match: re.Match[str]) -> str:
        index = int(match.group(1))
        html = results[index].html if index < len(results) else None
        if html is None or index in seen:
            raise LookupError(index)
        seen.add(index)
        return html

    try:
        filled = _PLACEHOLDER_RE.sub(mathml, html)
    except LookupError:
        return None
    if PLACEHOLDER_OPEN in filled or PLACEHOLDER_CLOSE in filled:
        return None
    return filled


def _render_inline_math(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    html = _math_html(tokens[idx], env)
    result = _result_for(tokens[idx], env)
    if result is not None and result.html is not None and result.html.startswith(_BLOCK_MATH):
        # Display math inside a paragraph ($$..$$, \[..\], an inline align): in a box of its
        # own, like a display block, so that a wide one scrolls there (site.css).
        return f'<span class="math-display">{html}</span>'
    return html


def _render_block_math(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    return f'<div class="math-display">{_math_html(tokens[idx], env)}</div>\n'
