"""Links that the author did not write as Markdown links: ``\\cite{..}`` and bare URLs.

This module owns three small markdown-it extensions:

* ``\\cite{key}`` / ``\\cite{a,b}`` (an inline rule, so it never fires inside code
  spans, code blocks or formulas, and not inside another link) becomes one
  ``<a class="cite" href="{cite_base}{quoted key}">key</a>`` per key (the link text is
  ``env["cite_label"](key)`` when the caller supplies a labeller and it knows the key). Keys are
  DBLP-style identifiers and may contain ``/``, ``:`` and ``.``
  (``conf/iccv/Girshick15``, ``journals/corr/1608.06993``). The base URL comes from
  the render env (``env["cite_base"]``), so one parser serves every caller.
* A linkifier (a core rule over ``text`` tokens, after inline parsing) that turns
  bare ``http://``, ``https://`` and ``www.`` URLs into links. It skips text inside
  links; code and math are separate token types, so they are never touched.
  linkify-it-py is far slower than this and does more than we need.
* A bare ``http(s)`` URL whose path ends in an image extension (``.png``, ``.jpg``, ``.jpeg``,
  ``.gif``, ``.svg``, ``.webp``; a query or fragment may follow), anywhere in a paragraph, is
  shown as the image (``<img src=... alt="file name">``), as the old site showed it: through the
  same URL checks as a link (markdown-it's ``validateLink``, then the sanitiser's http/https
  filter). Old summaries hold their figures this way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

DEFAULT_CITE_BASE = "/cite/"

_CITE_PREFIX = "\\cite{"
_CITE_RE = re.compile(r"\\cite\{([^{}\\\n]{1,2000})\}")
_CITE_KEY_RE = re.compile(r"[^\s{}\\,]{1,256}")
_MAX_CITE_KEYS = 50

# A URL candidate starts at a word boundary that is not part of a path, e-mail or
# another URL, and runs until whitespace or a character that cannot be in a bare URL.
_URL_RE = re.compile(
    r"(?<![\w@/.+\-])(?:https?://|www\.)[^\s<>\"'`\x00-\x1f\x7f]+",
    re.IGNORECASE,
)
_HOST_RE = re.compile(r"[\w\-]+(?:\.[\w\-]+)*(?::\d{1,5})?")
_TRAILING_PUNCTUATION = ".,:;!?*_~"
_CLOSERS = {")": "(", "]": "["}
_IMAGE_URL_RE = re.compile(
    r"https?://[^\s?#]+\.(?:png|jpe?g|gif|webp|svg)(?:[?#][^\s]*)?",
    re.IGNORECASE,
)


def links_plugin(md: MarkdownIt) -> None:
    """Add ``\\cite``, bare-URL linkification and bare image URLs to ``md``."""
    md.inline.ruler.before("escape", "cite", cite_rule)
    md.add_render_rule("cite", _render_cite)
    md.core.ruler.push("bare_urls", bare_urls_rule)


# --- \cite{...} ------------------------------------------------------------------


def parse_cite_keys(inner: str) -> list[str] | None:
    """Split the inside of ``\\cite{...}`` into keys; ``None`` if it is not a citation."""
    keys = [part.strip() for part in inner.split(",")]
    if not keys or len(keys) > _MAX_CITE_KEYS:
        return None
    if not all(_CITE_KEY_RE.fullmatch(key) for key in keys):
        return None
    return keys


def cite_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: ``\\cite{key1,key2}`` becomes a ``cite`` token."""
    if not state.src.startswith(_CITE_PREFIX, state.pos) or state.linkLevel > 0:
        return False
    match = _CITE_RE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    keys = parse_cite_keys(match.group(1))
    if keys is None:
        return False
    if not silent:
        token = state.push("cite", "", 0)
        token.content = match.group(0)
        token.meta = {"keys": keys}
    state.pos = match.end()
    return True


def cite_href(key: str, cite_base: str) -> str:
    """The URL of a citation key: the base plus the percent-encoded key."""
    return cite_base + quote(key, safe="/:.")


def _render_cite(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    cite_base = env.get("cite_base", DEFAULT_CITE_BASE)
    label_for = env.get("cite_label") or (lambda key: None)
    links = []
    for key in tokens[idx].meta["keys"]:
        href = escapeHtml(cite_href(key, cite_base))
        label = label_for(key)
        if label:
            links.append(
                f'<a class="cite" href="{href}" title="{escapeHtml(key)}">{escapeHtml(label)}</a>'
            )
        else:
            links.append(f'<a class="cite" href="{href}">{escapeHtml(key)}</a>')
    return ", ".join(links)


# --- bare URLs -------------------------------------------------------------------


def _trim_url(candidate: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets from a URL candidate."""
    url = candidate
    while url:
        last = url[-1]
        unbalanced = last in _CLOSERS and url.count(_CLOSERS[last]) < url.count(last)
        if last not in _TRAILING_PUNCTUATION and not unbalanced:
            break
        url = url[:-1]
    return url


def _has_valid_host(url: str) -> bool:
    rest = url.split("://", 1)[1] if "://" in url else url
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if not _HOST_RE.fullmatch(host) or not any(ch.isalnum() for ch in host):
        return False
    if "://" not in url:  # www.example.org needs at least one more dot-separated label
        return host.count(".") >= 2 and not host.endswith(".")
    return True


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, href)`` for every bare URL in ``text``."""
    found = []
    for match in _URL_RE.finditer(text):
        url = _trim_url(match.group(0))
        if not _has_valid_host(url):
            continue
        href = url if "://" in url else "https://" + url
        found.append((match.start(), match.start() + len(url), href))
    return found


def image_alt(url: str) -> str:
    """An image's alt text from its URL: the file name, %-escapes decoded."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return unquote(name, errors="replace")


def _image_token(src: str, alt: str, level: int) -> Token:
    image = Token("image", "img", 0, attrs={"src": src, "alt": ""}, content=alt)
    image.children = [_text_token(alt, level)]
    image.level = level
    return image


def _link_tokens(md: MarkdownIt, text: str, level: int) -> list[Token] | None:
    pieces: list[Token] = []
    cursor = 0
    for start, end, href in find_urls(text):
        normalized = md.normalizeLink(href)
        if not md.validateLink(normalized):
            continue
        if start > cursor:
            pieces.append(_text_token(text[cursor:start], level))
        cursor = end
        if _IMAGE_URL_RE.fullmatch(text[start:end]):
            pieces.append(_image_token(normalized, image_alt(href), level))
            continue
        opening = Token("link_open", "a", 1, attrs={"href": normalized}, markup="linkify")
        opening.info = "auto"
        opening.level = level
        pieces.extend([opening, _text_token(text[start:end], level + 1), _closing_token(level)])
    if not pieces:
        return None
    if cursor < len(text):
        pieces.append(_text_token(text[cursor:], level))
    return pieces


def _text_token(content: str, level: int) -> Token:
    token = Token("text", "", 0, content=content)
    token.level = level
    return token


def _closing_token(level: int) -> Token:
    token = Token("link_close", "a", -1, markup="linkify", info="auto")
    token.level = level
    return token


def _linkify_children(md: MarkdownIt, children: list[Token]) -> list[Token]:
    out: list[Token] = []
    link_depth = 0
    for child in children:
        if child.type == "link_open":
            link_depth += 1
        elif child.type == "link_close":
            link_depth -= 1
        elif child.type == "text" and link_depth == 0 and _may_contain_url(child.content):
            replacement = _link_tokens(md, child.content, child.level)
            if replacement is not None:
                out.extend(replacement)
                continue
        out.append(child)
    return out


def _may_contain_url(text: str) -> bool:
    lowered = text.lower()
    return "http" in lowered or "www." in lowered


def bare_urls_rule(state: StateCore) -> None:
    """Core rule: bare image URLs become images, other bare URLs become links."""
    md = state.md
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = _linkify_children(md, token.children)
