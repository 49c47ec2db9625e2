"""The last line of defence: an explicit nh3 (ammonia) allow-list for rendered HTML.

Everything ``render_markdown`` produces passes through ``sanitize_html``. Raw HTML
is already off in the Markdown parser and KaTeX runs with ``trust: false``, so in
normal operation the sanitiser removes nothing; it exists so that a bug in a
plugin, in markdown-it or in KaTeX cannot become script execution.

What is allowed:

* Markdown output: paragraphs, headings (only from ``h{min_heading}`` down, so user
  text can never produce the page's own ``h1``/``h2``), emphasis, ``del``/``s``,
  code, lists, block quotes, tables (``text-align`` style or ``align`` attribute),
  links, images, ``hr``, ``br``, ``sup`` and the footnote section markup.
* KaTeX's HTML: ``span`` with ``class``, ``style`` and ``aria-hidden``.
* KaTeX's MathML: ``math``, ``semantics``, ``annotation`` and the presentation
  elements KaTeX emits, with the attributes KaTeX sets (see ``_MATHML_ATTRIBUTES``).
  ``mglyph``, ``maction`` and ``annotation-xml`` are *not* allowed: KaTeX only uses
  ``mglyph`` for ``\\includegraphics`` (disabled by ``trust: false``) and they are
  the classic mutation-XSS gadgets.
* The inline SVG KaTeX draws for ``\\sqrt``, stretchy arrows/braces and ``\\cancel``:
  ``svg``, ``path`` and ``line`` with geometry attributes only.

Namespaces: ammonia parses with html5ever, so ``<math>`` and ``<svg>`` children are
in the MathML/SVG namespaces, and its namespace-confusion check only keeps a
foreign element whose parent is in the namespace the HTML parser would put it in
(``svg`` under HTML, ``path`` under ``svg``, ``mi`` under ``math`` ...). KaTeX's
output is always well nested that way, so nothing is lost: tests prove that
``\\sqrt{x}``, ``\\frac{a}{b}`` keep both their HTML and MathML and that
``\\overrightarrow{AB}`` keeps its ``<svg><path>``. Anything badly nested (the
``<math><mtext><table><mglyph><style>`` family) is dropped by ammonia.

One known casualty: for ``\\overset``, ``\\underset`` and ``\\stackrel`` KaTeX 0.16
writes ``<mi><mover><mo><mi>b</mi></mo>..</mover></mi>``, i.e. MathML elements inside
the text-only ``mi``/``mo``. An HTML parser (the browser's as much as html5ever) puts
those children in the HTML namespace, so the MathML is already broken before we
touch it, and ammonia removes the mis-namespaced subtree. The visible KaTeX HTML of
those formulas is unaffected; only the hidden, screen-reader MathML loses that part.
We accept this rather than re-writing KaTeX's markup with regular expressions.

``style`` is limited to the CSS properties KaTeX writes (``filter_style_properties``)
and a value filter rejects ``url(``, ``expression``, ``javascript:`` and
non-``relative`` positioning. ``id`` is limited to footnote anchors. URLs: only
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
_MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext",
    "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder",
    "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose",
    "merror",
}  # fmt: skip
_SVG_TAGS = {"svg", "path", "line"}

_MATHML_ATTRIBUTES = {
    "accent", "accentunder", "columnalign", "columnlines", "columnspacing", "depth",
    "displaystyle", "encoding", "fence", "height", "largeop", "linebreak",
    "linethickness", "lspace", "mathbackground", "mathcolor", "mathsize", "mathvariant",
    "maxsize", "minsize", "movablelimits", "notation", "rowalign", "rowlines",
    "rowspacing", "rspace", "scriptlevel", "separator", "stretchy", "symmetric", "voffset",
    "width", "style", "class",
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
    "span": {"class", "style", "aria-hidden", "title"},
    "svg": {"width", "height", "viewBox", "preserveAspectRatio", "style"},
    "path": {"d"},
    "line": {"x1", "y1", "x2", "y2", "stroke-width"},
    **{tag: set(_MATHML_ATTRIBUTES) for tag in _MATHML_TAGS - {"math"}},
}
_TAG_ATTRIBUTE_VALUES = {
    "math": {
        "xmlns": {"http://www.w3.org/1998/Math/MathML"},
        "display": {"block", "inline"},
    },
    "svg": {"xmlns": {"http://www.w3.org/2000/svg"}},
}

# Every CSS property KaTeX 0.16 writes into a style attribute, plus table alignment.
STYLE_PROPERTIES = frozenset({
    "background-color", "border", "border-bottom-width", "border-color",
    "border-right-style", "border-right-width", "border-style", "border-top-width",
    "border-width", "bottom", "color", "height", "left", "margin", "margin-left",
    "margin-right", "margin-top", "min-width", "padding-left", "position",
    "text-align", "text-shadow", "top", "vertical-align", "width",
})  # fmt: skip

_ID_RE = re.compile(r"fn(?:ref)?(?:-[0-9a-f]{8}-)?\d{1,6}(?::\d{1,6})?")
_FRAGMENT_RE = re.compile(r"#fn(?:ref)?(?:-[0-9a-f]{8}-)?\d{1,6}(?::\d{1,6})?")
_CLASS_RE = re.compile(r"[A-Za-z0-9_\- ]*")
_BAD_STYLE = ("url(", "expression", "javascript:", "@import", "\\", "behavior", "binding")
_POSITION_RE = re.compile(r"position\s*:\s*([a-z-]+)")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Value-level checks that an allow-list of names cannot express."""
    if attribute == "id":
        return value if _ID_RE.fullmatch(value) else None
    if attribute == "class":
        return value if _CLASS_RE.fullmatch(value) else None
    if attribute == "style":
        lowered = value.lower()
        if any(bad in lowered for bad in _BAD_STYLE):
            return None
        if any(pos != "relative" for pos in _POSITION_RE.findall(lowered)):
            return None
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
        tags=_MARKDOWN_TAGS | headings | _MATHML_TAGS | _SVG_TAGS,
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
