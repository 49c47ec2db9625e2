"""What the old site's summaries need to look as they did there (marked + MathJax 2).

The old site rendered Markdown with marked and math with MathJax 2 in the reader's browser.
Summaries written for it lean on things our renderer (CommonMark + Temml) refuses; this module
owns the rules that bring them back, each listed in docs/writing.md ("Old summaries: the
compatibility rules"):

* ``MATHJAX2_PREAMBLE``: TeX definitions, run once when the engine starts, of the MathJax 2
  macros Temml lacks (``\\mbox``, ``\\require``, ``\\mathbbm``, plain TeX's ``\\cases`` ...).
  ``\\newcommand`` of a name Temml already defines (``\\R``) is a redefinition, as in MathJax 2;
  the engine does that part (``math_engine``).
* ``engine_form``: what a formula is sent to the engine as: environments Temml lacks renamed
  (``eqnarray`` is a ``darray`` with ``rcl`` columns), and an inline formula holding an
  environment that only exists in display mode (``$\\begin{align}..$``) sent in display mode.
  ``needs_display`` tells, from Temml's message, which other inline failures to retry in
  display mode (``\\tag`` written inline).
* ``strong_closers_plugin``: ``**Label: **`` closes its bold, as marked closed it, where
  CommonMark refuses a closing run after a space (``_balance``).

Bare image URLs anywhere in a paragraph are ``links``' business.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.balance_pairs import processDelimiters
from markdown_it.rules_inline.state_inline import Delimiter

if TYPE_CHECKING:
    from shortscience.rendering.math_engine import MathRequest

# One definition per line; the engine runs them once into the macros every formula starts from.
# (\ssOp.. names are helpers: "ss" so that they cannot clash with anything MathJax defines.)
MATHJAX2_PREAMBLE = "".join(
    [
        r"\gdef\mbox#1{\text{#1}}",
        r"\gdef\require#1{}",
        r"\gdef\mathbbm#1{\mathbb{#1}}",
        r"\gdef\strut{\mathstrut}",
        r"\gdef\mit{\it}",
        r"\gdef\oldstyle{}",
        r"\gdef\scr{\cal}",
        r"\gdef\cr{\\}",
        r"\gdef\cases#1{\begin{cases}#1\end{cases}}",
        r"\gdef\pmatrix#1{\begin{pmatrix}#1\end{pmatrix}}",
        r"\gdef\eqalign#1{\begin{aligned}#1\end{aligned}}",
        r"\gdef\displaylines#1{\begin{gathered}#1\end{gathered}}",
        r"\gdef\root#1\of#2{\sqrt[#1]{#2}}",
        r"\gdef\buildrel#1\over#2{\mathrel{\overset{#1}{#2}}}",
        r"\gdef\DeclareMathOperator{\@ifstar\ssOpStar\ssOp}",
        r"\gdef\ssOp#1#2{\newcommand{#1}{\operatorname{#2}}}",
        r"\gdef\ssOpStar#1#2{\newcommand{#1}{\operatorname*{#2}}}",
        r"\gdef\bbox{\@ifnextchar[\ssBboxOptions\boxed}",
        r"\gdef\ssBboxOptions[#1]{\boxed}",
    ]
)

# Environments MathJax 2 knows and Temml does not, renamed before the engine sees them.
_RENAMED_ENVIRONMENTS = {
    r"\begin{eqnarray}": r"\begin{darray}{rcl}",
    r"\begin{eqnarray*}": r"\begin{darray}{rcl}",
    r"\end{eqnarray}": r"\end{darray}",
    r"\end{eqnarray*}": r"\end{darray}",
    r"\begin{flalign}": r"\begin{align}",
    r"\begin{flalign*}": r"\begin{align*}",
    r"\end{flalign}": r"\end{align}",
    r"\end{flalign*}": r"\end{align*}",
}
_RENAMED_RE = re.compile(r"\\(?:begin|end)\{(?:eqnarray|flalign)\*?\}")
# Environments Temml allows only in display mode; MathJax 2 took them between single dollars.
_DISPLAY_ENVIRONMENT_RE = re.compile(
    r"\\begin\{(?:align|alignat|gather|equation|multline|split|eqnarray|flalign|CD)\*?\}"
)
# Temml's messages for a construct that only exists in display mode.
_DISPLAY_ONLY_RE = re.compile(r"can be used only in display mode|works only in display mode")


def engine_form(tex: str, display: bool) -> tuple[str, bool]:
    """The TeX and mode the engine typesets a formula in (the formula as written, in most cases)."""
    if "\\begin" not in tex:
        return tex, display
    if not display and _DISPLAY_ENVIRONMENT_RE.search(tex):
        display = True
    if _RENAMED_RE.search(tex):
        tex = _RENAMED_RE.sub(lambda match: _RENAMED_ENVIRONMENTS[match.group(0)], tex)
    return tex, display


def needs_display(error: str) -> bool:
    """Whether Temml refused an inline formula only because it is not in display mode."""
    return _DISPLAY_ONLY_RE.search(error) is not None


# --- definitions that outlive their formula -------------------------------------------

# MathJax 2 kept a \newcommand or \def for the rest of the page: summaries define \R or \E in
# their first formula and use it in every later one.
_DEFINITION_RE = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|DeclareMathOperator|def|gdef)(?![A-Za-z])"
)
_NAME_RE = re.compile(r"\\(?:[A-Za-z@]+|.)")
_MAX_PREAMBLE = 2000


class _Definition(NamedTuple):
    name: str | None  # the control sequence it defines (None: not read, always carried)
    text: str  # as written
    uses: frozenset[str]  # the control sequences its text names


def carry_definitions(requests: list[MathRequest]) -> list[MathRequest]:
    """``requests`` with each formula's ``preamble`` holding the definitions made by the
    formulas before it in the document that it uses (the engine typesets them first, so a
    later ``$\\R$`` means what an earlier ``$\\newcommand{\\R}{\\mathbb{R}}$`` said): those
    of the names it writes, and of the names those definitions write, and so on; earlier
    definitions of one name all, in the document's order. A formula that uses none gets no
    preamble (and shares its cache entry with the same formula anywhere). Documents without a
    definition are returned as they are."""
    if not any("\\" in r.tex and _DEFINITION_RE.search(r.tex) for r in requests):
        return requests
    out: list[MathRequest] = []
    made: list[_Definition] = []  # in the document's order, at most _MAX_PREAMBLE in all
    by_name: dict[str | None, list[int]] = {}
    size = 0
    for request in requests:
        preamble = _preamble_for(request.tex, made, by_name) if made else ""
        out.append(request._replace(preamble=preamble) if preamble else request)
        if "\\" not in request.tex:
            continue
        for definition in _definitions(request.tex):
            if size + len(definition.text) <= _MAX_PREAMBLE:
                size += len(definition.text)
                by_name.setdefault(definition.name, []).append(len(made))
                made.append(definition)
    return out


def _preamble_for(tex: str, made: list[_Definition], by_name: dict[str | None, list[int]]) -> str:
    """The definitions in `made` that `tex` uses, directly or through another definition."""
    wanted = set(by_name.get(None, ()))
    names = set(_NAME_RE.findall(tex)) if "\\" in tex else set()
    seen: set[str] = set()
    while names:
        name = names.pop()
        seen.add(name)
        for index in by_name.get(name, ()):
            if index not in wanted:
                wanted.add(index)
                names |= made[index].uses - seen
    return "".join(made[index].text for index in sorted(wanted))


def definitions(tex: str) -> list[str]:
    """The complete definitions in a formula, as written (an incomplete one is left out)."""
    return [definition.text for definition in _definitions(tex)]


def _definitions(tex: str) -> list[_Definition]:
    found = []
    for match in _DEFINITION_RE.finditer(tex):
        parsed = _definition_end(tex, match.end(), match.group(0))
        if parsed is not None:
            end, name = parsed
            text = tex[match.start() : end]
            found.append(_Definition(name, text, frozenset(_NAME_RE.findall(text))))
    return found


def _definition_end(tex: str, pos: int, command: str) -> tuple[int, str | None] | None:
    """Where the definition whose command ends at `pos` ends, and the name it defines."""
    pos = _skip_spaces(tex, pos)
    if command == "\\DeclareMathOperator" and tex.startswith("*", pos):
        pos += 1
    pos = _skip_spaces(tex, pos)
    name_match = _NAME_RE.match(tex, pos)
    if name_match is not None:
        after_name: int | None = name_match.end()
        name: str | None = name_match.group(0)
    else:
        after_name = _group_end(tex, pos)
        braced = tex[pos + 1 : after_name - 1].strip() if after_name is not None else ""
        name = braced if _NAME_RE.fullmatch(braced) else None
    if after_name is None:
        return None
    pos = after_name
    if command in ("\\def", "\\gdef"):
        brace = tex.find("{", pos)  # the parameter text (#1#2, delimiters) runs up to the body
        end = None if brace < 0 else _group_end(tex, brace)
    elif command == "\\DeclareMathOperator":
        end = _group_end(tex, _skip_spaces(tex, pos))
    else:
        pos = _skip_spaces(tex, pos)
        for _ in range(2):  # [number of arguments][default of the first]
            if tex.startswith("[", pos):
                close = tex.find("]", pos)
                if close < 0:
                    return None
                pos = _skip_spaces(tex, close + 1)
        end = _group_end(tex, pos)
    return None if end is None else (end, name)


def _skip_spaces(tex: str, pos: int) -> int:
    while pos < len(tex) and tex[pos] in " \t\n":
        pos += 1
    return pos


def _group_end(tex: str, pos: int | None) -> int | None:
    """The index after the ``{..}`` group that starts at ``pos`` (braces escaped by a backslash
    do not count), or None."""
    if pos is None or not tex.startswith("{", pos):
        return None
    depth = 0
    index = pos
    while index < len(tex):
        char = tex[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return None


# --- **Label: ** ------------------------------------------------------------------

_MARKERS = (ord("*"), ord("_"))
_LINE_BREAKS = frozenset({"softbreak", "hardbreak"})
_MAX_CANDIDATES = 5000
_MAX_ROUNDS = 4


def strong_closers_plugin(md: MarkdownIt) -> None:
    """Pair delimiters as CommonMark does, plus the old site's ``**Label: **`` closers."""
    md.inline.ruler2.at("balance_pairs", balance_pairs)


def balance_pairs(state: StateInline) -> None:
    """markdown-it's ``balance_pairs`` with ``_balance`` in place of ``processDelimiters``."""
    _balance(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _balance(state, meta["delimiters"])


def _balance(state: StateInline, delimiters: list[Delimiter]) -> None:
    """Match emphasis delimiters, letting a ``**``/``__`` run that follows a punctuation mark and
    a space, and that CommonMark leaves unpaired, close the strong opened earlier on its line.

    CommonMark never lets a run preceded by whitespace close (``**Label: **`` stays open and can
    pair with a ``**`` far later: bold for paragraphs); marked closed at the first ``**``. Each
    such run is tried as a closer only; a run that then closes nothing, or closes a strong opened
    on an earlier line, gets CommonMark's reading back, and the pairing is done again. So text
    without such a run, and every CommonMark pair that does not straddle one, is unchanged.
    The work stays linear: at most ``_MAX_CANDIDATES`` runs and ``_MAX_ROUNDS`` pairings, past
    which the text gets CommonMark's reading.
    """
    lines = _token_lines(state) if delimiters else []
    candidates = _candidates(state, delimiters, lines)
    if len(candidates) > _MAX_CANDIDATES:
        candidates = []
    snapshot = [dataclasses.replace(delimiter) for delimiter in delimiters]
    if candidates:
        # Only runs CommonMark leaves unpaired: one it pairs (``__foo, __bar__, baz__``) stays so.
        processDelimiters(state, delimiters)
        paired = _paired(delimiters)
        candidates = [i for i in candidates if i not in paired and i + 1 not in paired]
        delimiters[:] = [dataclasses.replace(delimiter) for delimiter in snapshot]
    for _ in range(_MAX_ROUNDS):
        if not candidates:
            break
        for index in candidates:
            for delimiter in delimiters[index : index + 2]:
                delimiter.open, delimiter.close = False, True
        processDelimiters(state, delimiters)
        closed = _closed_on_their_line(delimiters, candidates, lines)
        if closed == candidates:
            return
        candidates = closed
        delimiters[:] = [dataclasses.replace(delimiter) for delimiter in snapshot]
    delimiters[:] = snapshot
    processDelimiters(state, delimiters)


def _token_lines(state: StateInline) -> list[int]:
    """The line (counted in soft and hard breaks) of each token of the inline run."""
    lines = []
    line = 0
    for token in state.tokens:
        if token.type in _LINE_BREAKS:
            line += 1
        lines.append(line)
    return lines


def _candidates(state: StateInline, delimiters: list[Delimiter], lines: list[int]) -> list[int]:
    """The first delimiter of each two-mark run that CommonMark cannot close with, that follows
    a punctuation mark and spaces, with an opening run of its marker earlier on its line."""
    found = []
    tokens = state.tokens
    opener_line: dict[int, int] = {}  # marker -> line of the latest run that can open
    for index, delimiter in enumerate(delimiters):
        if delimiter.marker not in _MARKERS:
            continue
        first = index == 0 or delimiters[index - 1].token != delimiter.token - 1
        if (
            first
            and delimiter.length == 2
            and not delimiter.close
            and index + 1 < len(delimiters)
            and delimiters[index + 1].token == delimiter.token + 1
            and opener_line.get(delimiter.marker) == lines[delimiter.token]
            and delimiter.token > 0
            and tokens[delimiter.token - 1].type == "text"
            and _punctuation_then_space(tokens[delimiter.token - 1].content)
        ):
            found.append(index)
        if delimiter.open and delimiter.length >= 2:
            opener_line[delimiter.marker] = lines[delimiter.token]
    return found


def _punctuation_then_space(text: str) -> bool:
    stripped = text.rstrip(" \t")
    if stripped == text or not stripped:
        return False
    last = stripped[-1]
    if last in "*_":
        return False
    return isMdAsciiPunct(ord(last)) or isPunctChar(last)


def _paired(delimiters: list[Delimiter]) -> set[int]:
    openers = {index for index, delimiter in enumerate(delimiters) if delimiter.end >= 0}
    return openers | {delimiters[index].end for index in openers}


def _closed_on_their_line(
    delimiters: list[Delimiter], candidates: list[int], lines: list[int]
) -> list[int]:
    """The candidates whose two marks both close a delimiter opened on the same line."""
    opener_of = {
        delimiter.end: index for index, delimiter in enumerate(delimiters) if delimiter.end >= 0
    }
    kept = []
    for index in candidates:
        line = lines[delimiters[index].token]
        openers = (opener_of.get(index), opener_of.get(index + 1))
        if all(o is not None and lines[delimiters[o].token] == line for o in openers):
            kept.append(index)
    return kept
