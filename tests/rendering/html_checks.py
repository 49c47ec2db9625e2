"""Helpers shared by the rendering tests: an HTML safety checker and a tag lister.

The checker parses HTML with the standard library's ``html.parser`` (entities in
attribute values are decoded, names are lower-cased) and fails on anything that
could run script or load a document: dangerous elements, ``on*`` handlers, URL
attributes with a scheme other than http/https/mailto, and CSS that can fetch or
evaluate (``url(``, ``expression``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

FORBIDDEN_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "style",
    "form", "input", "button", "textarea", "select", "foreignobject", "base", "link",
    "meta", "mglyph", "maction", "annotation-xml", "template", "noscript", "portal",
})  # fmt: skip
URL_ATTRIBUTES = frozenset({
    "href", "src", "xlink:href", "action", "formaction", "data", "background",
    "poster", "cite", "srcset", "ping", "codebase", "lowsrc", "dynsrc",
})  # fmt: skip
FORBIDDEN_ATTRIBUTES = frozenset({"srcdoc", "xmlns:xlink"})
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f]+")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def elements(html: str) -> list[Element]:
    """Every start tag in ``html``, in document order."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.elements


def tag_names(html: str) -> list[str]:
    return [element.tag for element in elements(html)]


def url_is_safe(value: str) -> bool:
    """Relative, or an absolute URL with an http, https or mailto scheme."""
    squashed = _INVISIBLE_RE.sub("", value).lower()
    match = _SCHEME_RE.match(squashed)
    return match is None or match.group(1) in SAFE_SCHEMES


def problems(html: str) -> list[str]:
    """Everything in ``html`` that the checker considers executable or unsafe."""
    found = []
    for element in elements(html):
        if element.tag in FORBIDDEN_TAGS:
            found.append(f"forbidden element <{element.tag}>")
        for name, value in element.attrs.items():
            if name.startswith("on"):
                found.append(f"event handler {name} on <{element.tag}>")
            if name in FORBIDDEN_ATTRIBUTES:
                found.append(f"forbidden attribute {name} on <{element.tag}>")
            if name in URL_ATTRIBUTES and not url_is_safe(value):
                found.append(f"unsafe URL {name}={value!r} on <{element.tag}>")
            if name == "style":
                css = _INVISIBLE_RE.sub("", value).lower()
                if "url(" in css or "expression" in css or "\\" in css:
                    found.append(f"unsafe style {value!r} on <{element.tag}>")
    return found


def assert_safe_html(html: str) -> None:
    issues = problems(html)
    assert not issues, f"{issues} in {html[:2000]!r}"
