"""The excerpt that list pages show: the opening of a document, cut at a block boundary.

This module owns the choice of what goes into an excerpt. It works on markdown-it's token
stream (after math has been collected), so the excerpt is rendered and sanitised by the
same rules as the whole document and can never end in the middle of a tag or a formula:

* whole top-level blocks (paragraphs, lists, tables, formulas, code) are taken in order
  while their visible text fits in ``EXCERPT_CHARS``; the first block is always taken;
* a first block that alone is too long is trimmed: a paragraph or heading at a word
  boundary with an ellipsis, a list or quote after its last item that fits, a code block
  after its last line that fits; a formula or a table row is never cut;
* footnote definitions are left out, and so are the references to them; a heading that
  would end the excerpt is dropped (it would introduce nothing).

``truncated`` says that the excerpt is not the whole document, so the page shows a
"Read more" link.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

#: The most visible characters (text, code, formula sources) an excerpt holds.
EXCERPT_CHARS = 700
ELLIPSIS = "\u2026"

_LEAF_INLINE = frozenset({"text", "code_inline", "math_inline", "math_inline_double", "cite"})
_BREAKS = frozenset({"softbreak", "hardbreak"})
_TEXT_BLOCKS = frozenset({"paragraph_open", "heading_open"})
# Blocks whose children are blocks: trimmed by keeping the children that fit.
_CONTAINERS = frozenset({
    "bullet_list_open", "ordered_list_open", "list_item_open", "blockquote_open",
    "table_open", "thead_open", "tbody_open",
})  # fmt: skip
_CODE = frozenset({"fence", "code_block"})
_FOOTNOTES = "footnote_block_open"


@dataclass(frozen=True)
class Excerpt:
    """The tokens to render for the excerpt, and whether anything was left out."""

    tokens: list[Token]
    truncated: bool


def _blocks(tokens: Sequence[Token], start: int, end: int) -> Iterator[tuple[int, int]]:
    """``(first, past_last)`` index pairs of the sibling blocks in ``tokens[start:end]``."""
    index = start
    while index < end:
        if tokens[index].nesting != 1:
            yield index, index + 1
            index += 1
            continue
        depth, stop = 0, index
        while True:
            depth += tokens[stop].nesting
            stop += 1
            if depth == 0 or stop >= end:
                break
        yield index, stop
        index = stop


def _inline_length(token: Token) -> int:
    size = 0
    for child in token.children or ():
        if child.type in _LEAF_INLINE:
            size += len(child.content)
        elif child.type in _BREAKS:
            size += 1
    return size


def _length(tokens: Sequence[Token]) -> int:
    size = 0
    for token in tokens:
        if token.type == "inline":
            size += _inline_length(token)
        elif token.nesting == 0 and token.content:  # code and display formulas
            size += len(token.content)
    return size


def _cut_words(text: str, room: int) -> str:
    """At most ``room`` characters of ``text``, ending at a word boundary when there is one."""
    if len(text) <= room:
        return text
    head = text[: max(room, 0)]
    if text[len(head)].isspace():
        return head.rstrip()
    cut = head.rsplit(None, 1)
    return cut[0].rstrip() if len(cut) == 2 else head


def _closing(opening: Token) -> Token:
    return Token(opening.type.replace("_open", "_close"), opening.tag, -1, markup=opening.markup)


def _trim_inline(token: Token, room: int) -> Token:
    """A copy of an inline token holding the first ``room`` visible characters, then "…"."""
    kept: list[Token] = []
    open_tags: list[Token] = []
    used = 0
    for child in token.children or ():
        if child.nesting == 1:
            open_tags.append(child)
        elif child.nesting == -1 and open_tags:
            open_tags.pop()
        size = len(child.content) if child.type in _LEAF_INLINE else (child.type in _BREAKS)
        if used + size > room:
            if child.type == "text":
                head = _cut_words(child.content, room - used)
                if head:
                    kept.append(child.copy(content=head))
            break
        kept.append(child)
        used += size
    kept.append(Token("text", "", 0, content=ELLIPSIS))
    kept.extend(_closing(opening) for opening in reversed(open_tags))
    return token.copy(children=kept)


def _trim_code(token: Token, room: int) -> Token:
    lines = token.content.splitlines(keepends=True)
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) > room and kept:
            break
        kept.append(line if used + len(line) <= room else line[:room] + "\n")
        used += len(line)
    return token.copy(content="".join(kept) + ELLIPSIS + "\n")


def _trim(tokens: list[Token], room: int) -> list[Token]:
    """The block ``tokens`` (one block) cut down to about ``room`` visible characters."""
    first = tokens[0]
    if first.type in _TEXT_BLOCKS and len(tokens) == 3 and tokens[1].type == "inline":
        return [first, _trim_inline(tokens[1], room), tokens[2]]
    if first.type in _CODE:
        return [_trim_code(first, room)]
    if first.type not in _CONTAINERS or len(tokens) < 2:
        return tokens  # a formula, a rule or a table row: never cut
    kept: list[Token] = [first]
    used = 0
    for start, stop in _blocks(tokens, 1, len(tokens) - 1):
        child = tokens[start:stop]
        size = _length(child)
        if used + size <= room:
            kept.extend(child)
            used += size
            continue
        if len(kept) == 1:
            kept.extend(_trim(child, room - used))
        break
    kept.append(tokens[-1])
    return kept


def _without_footnote_refs(tokens: list[Token]) -> tuple[list[Token], bool]:
    out: list[Token] = []
    changed = False
    for token in tokens:
        children = token.children or []
        if token.type == "inline" and any(c.type == "footnote_ref" for c in children):
            token = token.copy(children=[c for c in children if c.type != "footnote_ref"])
            changed = True
        out.append(token)
    return out, changed


def select(tokens: Sequence[Token], limit: int = EXCERPT_CHARS) -> Excerpt | None:
    """The excerpt's tokens, or None when the excerpt is the whole document as it is."""
    kept: list[list[Token]] = []
    used = 0
    truncated = False
    for start, stop in _blocks(tokens, 0, len(tokens)):
        block = list(tokens[start:stop])
        if block[0].type == _FOOTNOTES:
            truncated = True
            continue
        size = _length(block)
        if used + size <= limit:
            kept.append(block)
            used += size
            continue
        truncated = True
        if not kept:
            kept.append(_trim(block, limit))
        break
    while truncated and len(kept) > 1 and kept[-1][0].type == "heading_open":
        kept.pop()
    flat, changed = _without_footnote_refs([token for block in kept for token in block])
    if not truncated and not changed:
        return None
    return Excerpt(tokens=flat, truncated=truncated)
