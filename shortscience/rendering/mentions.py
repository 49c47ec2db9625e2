"""@username mentions: a core rule that turns `@name` into a link to that person's page.

Rendering stays pure: the caller finds which candidate names (``candidates``) belong to
people, in one query, and passes ``env["mentions"]``, a mapping of those usernames to their
page's path. A name not in the mapping stays text. Code spans and blocks, link texts and
e-mail addresses (``bob@example.org``: the ``@`` follows a letter) are never mentions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

#: Django's usernames are letters, digits and @ . + - _; a mention may not end with . + -
#: (a sentence's full stop), and follows neither a word character nor another @ or . / -.
MENTION_RE = re.compile(r"(?<![\w@./+-])@([\w](?:[\w.+-]{0,148}[\w])?)")
#: At most this many distinct names per text are looked up.
MAX_CANDIDATES = 50


def candidates(text: str) -> list[str]:
    """The distinct names written as @name in the text, in order, at most MAX_CANDIDATES.
    (Some may sit in code and never render as mentions; the caller only looks them up.)"""
    if "@" not in text:
        return []
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(text):
        seen.setdefault(match.group(1), None)
        if len(seen) >= MAX_CANDIDATES:
            break
    return list(seen)


_LINKED_RE = re.compile(r'<a\b[^>]*\bclass="mention"[^>]*>@([\w.+-]+)</a>')


def mentioned_in(html: str) -> list[str]:
    """The usernames a rendered document links as mentions, in order, once each."""
    if 'class="mention"' not in html:
        return []
    return list(dict.fromkeys(_LINKED_RE.findall(html)))


def mentions_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("mentions", mentions_rule)


def _text(content: str, level: int) -> Token:
    token = Token("text", "", 0, content=content)
    token.level = level
    return token


def _linked(text: str, level: int, known: Mapping[str, str]) -> list[Token] | None:
    pieces: list[Token] = []
    cursor = 0
    for match in MENTION_RE.finditer(text):
        name = match.group(1)
        href = known.get(name)
        if href is None:
            continue
        if match.start() > cursor:
            pieces.append(_text(text[cursor : match.start()], level))
        opening = Token("link_open", "a", 1, attrs={"href": href, "class": "mention"})
        opening.level = level
        opening.meta = {"mention": name}
        closing = Token("link_close", "a", -1)
        closing.level = level
        pieces.extend([opening, _text(match.group(0), level + 1), closing])
        cursor = match.end()
    if not pieces:
        return None
    if cursor < len(text):
        pieces.append(_text(text[cursor:], level))
    return pieces


def mentions_rule(state: StateCore) -> None:
    """Core rule: @name in plain text outside links becomes a link, for known names only."""
    known: Mapping[str, str] = state.env.get("mentions") or {}
    if not known:
        return
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        out: list[Token] = []
        depth = 0
        for child in token.children:
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "text" and depth == 0 and "@" in child.content:
                replacement = _linked(child.content, child.level, known)
                if replacement is not None:
                    out.extend(replacement)
                    continue
            out.append(child)
        token.children = out
