"""The last line of defence: an explicit nh3 (ammonia) allow-list for rendered HTML.

Everything ``render_markdown`` produces passes through ``sanitize_html``. Raw HTML
is already off in the Markdown parser and Temml runs with ``trust: false``, so in
normal operation the sanitiser removes nothing; it exists so that a bug in a
plugin, in markdown-it or in Temml cannot become script execution.

What is allowed:

* Markdown output: paragraphs, headings (only from ``h{min_heading}`` down, so user
  text can never produce the page's own ``h1``/``h2``), emphasis, ``del``/``s``,
  code, lists, block quotes, tables (``text-align`` style or ``align`` attribute),
  links, images, ``hr``, ``br``, ``sup`` and the footnote section markup.
* Temml's MathML Core: ``math`` and the presentation elements Temml emits, with the
  attributes it sets (see ``_MATHML_ATTRIBUTES``), plus ``span`` with ``class`` (the
  equation number of an ``align`` row, our inline error). There is no SVG and no
  visual HTML copy any more (docs/decisions/0007-math-markup.md). ``mglyph``,
  ``maction``, ``semantics``, ``annotation`` and ``annotation-xml`` are *not* allowed:
  Temml runs with ``annotate: false`` and ``trust: false``, and they are the classic
  mutation-XSS gadgets.

Namespaces: ammonia parses with html5ever, so ``<math>`` children are in the MathML
namespace, and its namespace-confusion check only keeps a foreign element whose
parent is in the namespace the HTML parser would put it in (``mi`` under ``math``
...). Temml's output is always well nested that way; anything badly nested (the
``<math><mtext><table><mglyph><style>`` family) is dropped by ammonia.

``style`` is limited to the CSS properties Temml writes (``filter_style_properties``:
cell padding, rules, colours, ``display: block math``) and a value filter rejects
``url(``, ``expression``, ``javascript:``, non-``relative`` positioning and any
``transform`` but the mirror of ``\\reflectbox``. ``id`` is limited to footnote anchors. URLs: only
``http``, ``https`` and ``mailto`` schemes; relative URLs only when they point into
the site's content prefixes (citations, media, papers, summaries, users, venues) or at
a footnote anchor. Links get
``rel="nofollow ugc noopener"``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote

import nh3

# Site paths that links and images in user content may point to without a scheme.
DEFAULT_RELATIVE_PREFIXES = (
    "/cite/", "/media/", "/papers/", "/summaries/", "/users/", "/venues/", "/about/",
)  # fmt: skip
LINK_REL = "nofollow ugc noopener"
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_MARKDOWN_TAGS = {
    "p", "em", "strong", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "a", "img", "hr", "br", "sup",
    "section", "div", "span",
}  # fmt: skip
# Every element Temml 0.13 writes (``none`` and ``mprescripts`` belong to \\prescript).
_MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "msup", "msub", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "mmultiscripts", "mprescripts", "none",
}  # fmt: skip

_MATHML_ATTRIBUTES = {
    "accent", "columnalign", "depth", "displaystyle", "fence", "form", "height",
    "largeop", "linethickness", "lspace", "mathbackground", "mathcolor", "mathsize",
    "mathvariant", "maxsize", "minsize", "movablelimits", "notation", "rowspacing",
    "rspace", "scriptlevel", "separator", "stretchy", "symmetric", "voffset", "width",
    "style", "class",
}  # fmt: skip

_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "class", "id"},
    "img": {"src", "alt", "title"},
    "ol": {"start", "class"},
    "li": {"id", "class"},
    "th": {"style", "align"},
    "td": {"style", "align"},
    "code": {"class"},
    "div": {"class"},
    "section": {"class"},
    "hr": {"class"},
    "sup": {"class"},
    "span": {"class", "title"},
    "math": {"class", "style"},
    **{tag: set(_MATHML_ATTRIBUTES) for tag in _MATHML_TAGS - {"math"}},
}
_TAG_ATTRIBUTE_VALUES = {
    "math": {
        "xmlns": {"http://www.w3.org/1998/Math/MathML"},
        "display": {"block", "inline"},
    },
}

# Every CSS property Temml 0.13 writes into a style attribute, plus table alignment.
STYLE_PROPERTIES = frozenset({
    "border", "border-bottom", "border-left", "border-right", "border-top", "bottom",
    "color", "display", "font-weight", "height", "justify-content", "margin-left",
    "math-depth", "padding", "padding-bottom", "padding-left", "padding-right",
    "padding-top", "position", "right", "text-align", "transform", "white-space", "width",
})  # fmt: skip

# HTML elements whose width/height attributes are not MathML lengths (none allowed today).
_ATTRIBUTES_WITHOUT_LENGTHS = frozenset({"img", "table", "td", "th"})
_ID_RE = re.compile(r"fn(?:ref)?(?:-[0-9a-f]{8}-)?\d{1,6}(?::\d{1,6})?")
_FRAGMENT_RE = re.compile(r"#fn(?:ref)?(?:-[0-9a-f]{8}-)?\d{1,6}(?::\d{1,6})?")
_CLASS_RE = re.compile(r"[A-Za-z0-9_\- ]*")
_BAD_STYLE = ("url(", "expression", "javascript:", "@import", "\\", "behavior", "binding")
# MathML lengths a formula sets; Temml caps em sizes but not every absolute unit (cm, in),
# and no negative ones, so a \\rule or \\kern could still cover or shift the page.
_LENGTH_ATTRIBUTES = frozenset({"width", "height", "depth", "lspace", "rspace", "voffset"})
_LENGTH_RE = re.compile(r"(-?)([0-9]*\.?[0-9]+)(em|ex|pt|px|pc|cm|mm|in)\b")
_EM_PER_UNIT = {
    "em": 1.0, "ex": 0.431, "pt": 0.1, "px": 0.075, "pc": 1.2, "cm": 2.835, "mm": 0.2835,
    "in": 7.2,
}  # fmt: skip
MAX_LENGTH_EM = 20.0
_POSITION_RE = re.compile(r"position\s*:\s*([a-z-]+)")
_TRANSFORM_RE = re.compile(r"transform\s*:\s*([^;]*)")
_MIRROR = "scalex(-1)"


def _capped(length: re.Match[str]) -> str:
    if float(length.group(2)) * _EM_PER_UNIT[length.group(3)] > MAX_LENGTH_EM:
        return f"{length.group(1)}{MAX_LENGTH_EM:g}em"
    return length.group(0)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Value-level checks that an allow-list of names cannot express."""
    if attribute == "id":
        return value if _ID_RE.fullmatch(value) else None
    if attribute == "class":
        return value if _CLASS_RE.fullmatch(value) else None
    if attribute in _LENGTH_ATTRIBUTES and tag not in _ATTRIBUTES_WITHOUT_LENGTHS:
        return _LENGTH_RE.sub(_capped, value)
    if attribute == "style":
        lowered = value.lower()
        if any(bad in lowered for bad in _BAD_STYLE):
            return None
        if any(pos != "relative" for pos in _POSITION_RE.findall(lowered)):
            return None
        if any(t.strip() != _MIRROR for t in _TRANSFORM_RE.findall(lowered)):
            return None
        return _LENGTH_RE.sub(_capped, value)
    return value


def _relative_url_filter(prefixes: tuple[str, ...]) -> Callable[[str], str | None]:
    def keep(url: str) -> str | None:
        if url.startswith("#"):
            return url if _FRAGMENT_RE.fullmatch(url) else None
        if url.startswith("//") or "\\" in url:
            return None
        path = unquote(re.split(r"[?#]", url, maxsplit=1)[0])
        normalized = posixpath.normpath(path) + ("/" if path.endswith("/") else "")
        for prefix in prefixes:
            if path.startswith(prefix) and normalized.startswith(prefix):
                return url
        return None

    return keep


@lru_cache(maxsize=32)
def _cleaner(min_heading: int, relative_prefixes: tuple[str, ...]) -> nh3.Cleaner:
    headings = {f"h{level}" for level in range(min_heading, 7)}
    return nh3.Cleaner(
        tags=_MARKDOWN_TAGS | headings | _MATHML_TAGS,
        attributes=_ATTRIBUTES,
        tag_attribute_values=_TAG_ATTRIBUTE_VALUES,
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        url_relative=_relative_url_filter(relative_prefixes),
        link_rel=LINK_REL,
        filter_style_properties=set(STYLE_PROPERTIES),
        strip_comments=True,
    )


def sanitize_html(
    html: str,
    *,
    min_heading: int = 1,
    relative_prefixes: tuple[str, ...] = DEFAULT_RELATIVE_PREFIXES,
) -> str:
    """Clean ``html`` against the allow-list above.

    ``min_heading`` is the highest heading level user content may use (3 when the
    page's own h1/h2 must stay unique). ``relative_prefixes`` are the site paths that
    relative links and images may point into.
    """
    level = min(max(min_heading, 1), 6)
    return _cleaner(level, tuple(relative_prefixes)).clean(html)
