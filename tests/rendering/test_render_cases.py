"""Table-driven checks of render_markdown on tricky inputs, plus the behaviours around them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pytest

from shortscience.rendering import RENDERER_VERSION, Rendered, render_markdown
from shortscience.rendering.math_engine import MathRequest, render_math

from .html_checks import assert_safe_html, tag_names

NESTED_BRACES = "$" + "{" * 5000 + "x" + "}" * 5000 + "$"
EXPONENTIAL_MACROS = (
    r"$\def\a{xxxxxxxxxx}\def\b{\a\a\a\a\a\a\a\a\a\a}\def\c{\b\b\b\b\b\b\b\b\b\b}"
    r"\def\d{\c\c\c\c\c\c\c\c\c\c}\d\d\d\d$"
)
REL = 'rel="nofollow ugc noopener"'


def tex(source: str, *, display: bool = False) -> str:
    """The sanitised MathML the engine gives a formula (what the document must contain)."""
    html = render_math([MathRequest(tex=source, display=display)])[0].html
    assert html is not None and html.startswith("<math"), html
    return html


@dataclass(frozen=True)
class Case:
    source: str
    contains: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    errors: int = 0
    exact: str | None = None
    tags: tuple[str, ...] = ()


# Footnote ids carry the first 8 hex digits of the source's SHA-256 (unique per document).
FOOTNOTE_DOC = hashlib.sha256(b"Claim[^1].\n\n[^1]: Source $y$.").hexdigest()[:8]

CASES = {
    "inline math keeps underscores and asterisks": Case(
        "$x_1 * y_2 * z$", contains=(tex("x_1 * y_2 * z"), "<math>"), absent=("<em>",)
    ),
    "display dollars become a display block": Case(
        r"$$\sum_{i=1}^n a_i$$",
        contains=('<div class="math-display">', tex(r"\sum_{i=1}^n a_i", display=True)),
    ),
    "paren delimiters are inline math": Case(
        r"Let \(a\) be", contains=(tex("a"),), absent=('display="block"', r"\(")
    ),
    "bracket delimiters are display math": Case(
        r"so \[b\] holds", contains=(tex("b", display=True),), absent=(r"\[",)
    ),
    "escaped dollar is a literal dollar": Case(r"\$", exact="<p>$</p>\n"),
    "money amounts stay text": Case("$5 and $10", exact="<p>$5 and $10</p>\n"),
    "spaces inside dollars are allowed": Case("$ x $", contains=(tex("x"),)),
    "adjacent formulas are separate": Case("$x$$y$", contains=(tex("x"), tex("y"))),
    "align environment is display math": Case(
        r"\begin{align}a&=b\end{align}",
        contains=(tex(r"\begin{align}a&=b\end{align}", display=True), 'class="tml-eqn"'),
    ),
    "unbalanced formula is a visible error and the rest renders": Case(
        r"$\frac{1}{$ and *more*",
        contains=(
            '<span class="math-error" title="Unexpected end of input',
            r"\frac{1}{</span>",
            "<em>more</em>",
        ),
        errors=1,
    ),
    "table cells hold math written with vert": Case(
        "| a | b |\n|---|:-:|\n| $x \\vert y$ | 2 |",
        contains=(tex(r"x \vert y"), '<td style="text-align:center">2</td>'),
        tags=("table", "thead", "tbody", "tr", "th", "td"),
    ),
    "footnotes link both ways": Case(
        "Claim[^1].\n\n[^1]: Source $y$.",
        contains=(
            f'<sup class="footnote-ref"><a href="#fn-{FOOTNOTE_DOC}-1" id="fnref-{FOOTNOTE_DOC}-1"',
            f'<li id="fn-{FOOTNOTE_DOC}-1" class="footnote-item">',
            f'<a href="#fnref-{FOOTNOTE_DOC}-1" class="footnote-backref"',
            '<section class="footnotes">',
            tex("y"),
        ),
    ),
    "strikethrough": Case("~~old~~ new", exact="<p><s>old</s> new</p>\n"),
    "headings are demoted by two and capped at h6": Case(
        "# Top\n\n## Sub\n\n#### Four\n\n###### Deep",
        contains=("<h3>Top</h3>", "<h4>Sub</h4>", "<h6>Four</h6>", "<h6>Deep</h6>"),
        absent=("<h1", "<h2"),
    ),
    "bare https url becomes a link": Case(
        "See https://arxiv.org/abs/1608.06993.",
        exact=f'<p>See <a href="https://arxiv.org/abs/1608.06993" {REL}>'
        "https://arxiv.org/abs/1608.06993</a>.</p>\n",
    ),
    "www url becomes an https link": Case(
        "Visit www.shortscience.org today",
        contains=(f'<a href="https://www.shortscience.org" {REL}>www.shortscience.org</a>',),
    ),
    "url keeps balanced parentheses and drops the unbalanced one": Case(
        "(see https://en.wikipedia.org/wiki/Foo_(bar))",
        contains=(f'href="https://en.wikipedia.org/wiki/Foo_(bar)" {REL}>', "</a>)</p>"),
    ),
    "incomplete urls stay text": Case(
        "http:// and www.foo and xhttps://a.b",
        exact="<p>http:// and www.foo and xhttps://a.b</p>\n",
    ),
    "bare image url alone in a paragraph becomes an image": Case(
        "https://example.com/fig1.png",
        exact='<p><img src="https://example.com/fig1.png" alt="fig1.png"></p>\n',
    ),
    "image url inside a sentence is an image too (the old site's rule)": Case(
        "see https://example.com/fig1.png here",
        exact='<p>see <img src="https://example.com/fig1.png" alt="fig1.png"> here</p>\n',
    ),
    "non http image url is not an image": Case(
        "ftp://example.com/fig1.png", exact="<p>ftp://example.com/fig1.png</p>\n"
    ),
    "cite with a dblp key": Case(
        r"As in \cite{conf/iccv/Girshick15}.",
        exact=f'<p>As in <a class="cite" href="/cite/conf/iccv/Girshick15" {REL}>'
        "conf/iccv/Girshick15</a>.</p>\n",
    ),
    "cite with two keys gives two links": Case(
        r"\cite{a, journals/corr/1608.06993}",
        contains=(
            f'<a class="cite" href="/cite/a" {REL}>a</a>, ',
            f'<a class="cite" href="/cite/journals/corr/1608.06993" {REL}>'
            "journals/corr/1608.06993</a>",
        ),
    ),
    "malformed cites stay text": Case(
        r"\cite{} \cite{a b} \cite{a,,b}", exact="<p>\\cite{} \\cite{a b} \\cite{a,,b}</p>\n"
    ),
    "code span keeps dollars cites and urls": Case(
        r"`$x$ and \cite{k} and https://e.com`",
        exact="<p><code>$x$ and \\cite{k} and https://e.com</code></p>\n",
    ),
    "fenced code keeps dollars and cites": Case(
        "```\n$x$ \\cite{k} $$y$$\n```",
        exact="<pre><code>$x$ \\cite{k} $$y$$\n</code></pre>\n",
    ),
    "dollar signs in code spans are not math": Case(
        "price `$HOME` and $5 and `echo $x`",
        exact="<p>price <code>$HOME</code> and $5 and <code>echo $x</code></p>\n",
    ),
    "escaped backslash before a paren is not math": Case(
        r"\\(x\\) stays", exact="<p>\\(x\\) stays</p>\n"
    ),
    "escaped dollar inside math": Case(r"$\$5$", contains=(tex(r"\$5"),)),
    "math inside link text": Case(
        "[$x_1$](https://e.com)", contains=('<a href="https://e.com"', tex("x_1"))
    ),
    "display dollars inside a paragraph": Case(
        "a $$x^2$$ b",
        contains=(f'<p>a <span class="math-display">{tex("x^2", display=True)}</span> b</p>',),
    ),
    "multi line bracket display block": Case(
        "\\[\nx = 1\n\\]\n",
        contains=('<div class="math-display">' + tex("x = 1", display=True) + "</div>",),
    ),
    "multi line dollar display block": Case(
        "$$\na_1\n= b_2\n$$",
        contains=('<div class="math-display">' + tex("a_1\n= b_2", display=True) + "</div>",),
    ),
    "math in lists and quotes": Case(
        "1. item $x_1$\n2. two\n\n> quoted $y$",
        contains=(tex("x_1"), tex("y")),
        tags=("ol", "li", "blockquote"),
    ),
    "nested brace bomb is a contained error": Case(
        NESTED_BRACES + " then $z$",
        contains=("Maximum call stack size exceeded", tex("z")),
        errors=1,
    ),
    "self referential macro hits max expand": Case(
        r"$\def\a{\a\a}\a$", contains=("Too many expansions",), errors=1
    ),
    "exponential macro bomb hits max expand": Case(
        EXPONENTIAL_MACROS, contains=("Too many expansions",), errors=1
    ),
    "huge sizes are capped by max size": Case(
        r"$\rule{1000em}{1000em}$", contains=('width="20em"',), absent=("1000em",)
    ),
    "trusted only commands are visible errors": Case(
        r"$\href{javascript:alert(1)}{x}$ $\url{javascript:x}$ $\htmlId{i}{x}$ "
        r"$\includegraphics{https://e.com/a.png}$",
        absent=("<a ", 'id="i"', "<img", "href="),
        errors=4,
    ),
    "sizes in absolute units are capped too": Case(
        r"$\rule{100cm}{1000pt}$ $\kern{-5in}x$",
        contains=('width="20em"', 'height="200pt"', 'style="margin-left:-20em"'),
    ),
    "raw html is escaped": Case("<b>bold</b>", exact="<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"),
    "relative links outside cite and media lose their href": Case(
        "[a](/admin/) [b](/media/x.pdf) [c](/cite/../admin) [m](mailto:a@b.org)",
        contains=(
            f"<a {REL}>a</a>",
            f'<a href="/media/x.pdf" {REL}>b</a>',
            f"<a {REL}>c</a>",
            'href="mailto:a@b.org"',
        ),
    ),
    "empty input": Case("", exact=""),
    "whitespace only input": Case(" \n\t\n", exact=""),
    "nul and control characters are stripped": Case("a\x00b\x07c\x1b", exact="<p>abc</p>\n"),
    "lone surrogates become replacement characters": Case("x\ud800y", exact="<p>x\ufffdy</p>\n"),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_render_case(case: Case) -> None:
    rendered = render_markdown(case.source)
    html = rendered.html
    if case.exact is not None:
        assert html == case.exact
    for needle in case.contains:
        assert needle in html
    for needle in case.absent:
        assert needle not in html
    assert len(rendered.math_errors) == case.errors, rendered.math_errors
    present = set(tag_names(html))
    assert set(case.tags) <= present
    assert_safe_html(html)


def test_renderer_version_is_a_positive_int() -> None:
    assert isinstance(RENDERER_VERSION, int)
    assert RENDERER_VERSION >= 1


def test_rendered_is_an_immutable_value() -> None:
    rendered = render_markdown("hello")
    assert rendered == Rendered(
        html="<p>hello</p>\n", math_errors=(), excerpt_html="<p>hello</p>\n", truncated=False
    )
    with pytest.raises(AttributeError):
        rendered.html = "x"  # type: ignore[misc]  # the point: frozen


def test_math_errors_has_one_message_per_broken_formula() -> None:
    rendered = render_markdown(r"$\frac{1}{$ fine $x$ and $\frac{1}{$ and $\badmacro$")
    assert len(rendered.math_errors) == 3
    assert all(isinstance(message, str) and message for message in rendered.math_errors)
    assert any(r"\badmacro" in message for message in rendered.math_errors)
    assert rendered.html.count('class="math-error"') == 3


def test_error_title_and_source_are_escaped() -> None:
    rendered = render_markdown(r'$\frac{<b>"x"}{$')
    assert '<span class="math-error" title="' in rendered.html
    assert "<b>" not in rendered.html
    assert "&lt;b&gt;" in rendered.html


def test_heading_offset_zero_keeps_h1() -> None:
    assert render_markdown("# Title", heading_offset=0).html == "<h1>Title</h1>\n"


def test_heading_offset_is_clamped() -> None:
    assert render_markdown("# Title", heading_offset=40).html == "<h6>Title</h6>\n"
    assert render_markdown("# Title", heading_offset=-3).html == "<h1>Title</h1>\n"


def test_cite_base_can_be_another_site_path() -> None:
    html = render_markdown(r"\cite{conf/nips/X17}", cite_base="/papers/").html
    assert f'<a class="cite" href="/papers/conf/nips/X17" {REL}>' in html


def test_cite_base_can_be_absolute() -> None:
    html = render_markdown(r"\cite{a:b}", cite_base="https://shortscience.org/cite/").html
    assert 'href="https://shortscience.org/cite/a:b"' in html


def test_cite_keys_are_url_quoted() -> None:
    html = render_markdown(r'\cite{a"b<c>#d?e}').html
    assert 'href="/cite/a%22b%3Cc%3E%23d%3Fe"' in html
    assert '>a"b&lt;c&gt;#d?e</a>' in html


def test_cite_inside_a_link_is_left_as_text() -> None:
    html = render_markdown(r"[see \cite{k}](https://e.com)").html
    assert 'class="cite"' not in html
    assert "\\cite{k}</a>" in html


def test_formulas_inside_footnotes_tables_and_headings_all_render() -> None:
    source = "# $h$\n\n| $t$ |\n|---|\n| $c$ |\n\nx[^n]\n\n[^n]: $f$\n"
    rendered = render_markdown(source)
    for formula in ("h", "t", "c", "f"):
        assert tex(formula) in rendered.html
    assert re.search(r"<h3><math>.*</math></h3>", rendered.html, re.S)


def test_astral_characters_in_math_never_leave_lone_surrogates() -> None:
    rendered = render_markdown("$&000000000000\U00010000\U00010000$ and $\U0001d538 + x$")
    rendered.html.encode("utf-8")
    for message in rendered.math_errors:
        message.encode("utf-8")
    assert len(rendered.math_errors) == 1


def test_footnote_ids_differ_between_documents_and_match_their_preview():
    first = render_markdown("A[^1].\n\n[^1]: one").html
    second = render_markdown("B[^1].\n\n[^1]: two").html
    assert 'id="fn-' in first
    assert first.split('id="fn-')[1][:8] != second.split('id="fn-')[1][:8]
    assert render_markdown("A[^1].\n\n[^1]: one").html == first


def test_a_cite_label_gives_the_link_its_title_and_keeps_the_key_as_tooltip():
    html = render_markdown(
        r"See \cite{conf/iccv/Girshick15,unknown}.",
        cite_label=lambda key: "Fast R-CNN" if key == "conf/iccv/Girshick15" else None,
    ).html
    assert 'href="/cite/conf/iccv/Girshick15" title="conf/iccv/Girshick15"' in html
    assert ">Fast R-CNN</a>" in html
    assert '<a class="cite" href="/cite/unknown" rel="nofollow ugc noopener">unknown</a>' in html


def test_links_into_the_site_keep_their_href_and_other_relative_links_do_not():
    html = render_markdown(
        "[paper](/papers/3/) [odd](/accounts/logout/) [proto](//evil.example/)"
    ).html
    assert 'href="/papers/3/"' in html
    assert "logout" not in html.split(">odd<")[0].rsplit("<", 1)[-1]
    assert "evil.example" not in html
