"""The nh3 allow-list keeps everything Temml emits and nothing dangerous."""

from __future__ import annotations

import pytest

from shortscience.rendering import render_markdown
from shortscience.rendering.math_engine import _ENGINE, MathRequest
from shortscience.rendering.sanitize import sanitize_html

from .html_checks import Element, assert_safe_html, elements

# Formulas covering the constructs that produce distinct markup: roots, stretchy arrows
# and braces, cancel, tables, colour boxes, rules, spacing, fonts, over/under scripts.
FORMULA_CORPUS = [
    r"\sqrt{x}", r"\sqrt[3]{x}", r"\frac{a}{b}", r"\binom{n}{k}", r"\overrightarrow{AB}",
    r"\widehat{abc}", r"\overbrace{a+b}^{n}", r"\underbrace{a+b}_{n}", r"\cancel{x}",
    r"\xcancel{x}", r"\boxed{x}", r"\colorbox{red}{x}", r"\fcolorbox{red}{blue}{x}",
    r"\color{#f00}{x}", r"\rule{1em}{2em}", r"\kern{1em}x", r"\mathbb{R}\mathcal{L}",
    r"\text{hi}\textbf{b}", r"\boldsymbol{\alpha}", r"\left(\frac{a}{b}\right)",
    r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", r"\begin{cases}a&b\\c&d\end{cases}",
    r"\begin{array}{c|c}a&b\\\hline c&d\end{array}", r"\sum_{i=1}^n\int_0^1 f\,dx",
    r"\xrightarrow[below]{above}", r"\vec{v}\hat{x}\bar{x}", r"\phantom{x}\vphantom{y}",
    r"\Huge x \tiny y", r"\begin{aligned}a&=b\\&=c\end{aligned}", r"\phase{x}",
    r"\not= \nRightarrow", r"\operatorname{argmax}_x", r"\lVert x\rVert \langle y\rangle",
    r"\overset{a}{b}", r"\underset{a}{b}", r"\stackrel{a}{=}", r"\prescript{a}{b}{X}",
    r"\reflectbox{x}", r"\mathscr{L}\mathfrak{g}\mathsf{T}\mathtt{c}", r"\rlap{y}",
]  # fmt: skip
DISPLAY_CORPUS = [
    r"\begin{align}a&=b\\c&=d\end{align}",
    r"\begin{equation}x\end{equation}",
    r"x \tag{3}",
    r"\begin{CD}A @>a>> B\end{CD}",
]


def _signature(element: Element) -> tuple[str, tuple[str, ...]]:
    """Tag, attribute names and CSS property names: what sanitising must preserve."""
    names = set(element.attrs)
    style = element.attrs.get("style", "")
    names |= {"style:" + decl.split(":", 1)[0].strip() for decl in style.split(";") if ":" in decl}
    return element.tag, tuple(sorted(names))


def _mathml(tex: str, *, display: bool = False) -> str:
    """The engine's own output, before the sanitiser (render_math returns it sanitised)."""
    result = _ENGINE.render([MathRequest(tex=tex, display=display)])[0]
    assert result.html is not None, result.error
    return result.html


@pytest.mark.parametrize(
    ("tex", "display"),
    [(t, False) for t in FORMULA_CORPUS] + [(t, True) for t in DISPLAY_CORPUS],
    ids=[*FORMULA_CORPUS, *DISPLAY_CORPUS],
)
def test_sanitiser_keeps_every_element_and_attribute_temml_emits(tex: str, display: bool) -> None:
    raw = _mathml(tex, display=display)
    clean = sanitize_html(raw)
    assert [_signature(e) for e in elements(clean)] == [_signature(e) for e in elements(raw)]
    assert_safe_html(clean)


def test_sqrt_and_frac_are_plain_mathml_without_a_visual_html_copy() -> None:
    html = render_markdown(r"$\sqrt{x}$ and $\frac{a}{b}$").html
    tags = [e.tag for e in elements(html)]
    for tag in ("math", "msqrt", "mfrac", "mi"):
        assert tag in tags
    for gone in ("svg", "path", "span", "semantics", "annotation"):
        assert gone not in tags
    assert html.count("<math>") == 2


def test_stretchy_arrows_are_mathml_operators_not_svg() -> None:
    html = render_markdown(r"$\overrightarrow{AB}$").html
    assert "<svg" not in html
    assert '<mover><mrow><mi>A</mi><mi>B</mi></mrow><mo stretchy="true"' in html


def test_style_is_limited_to_the_css_properties_temml_writes() -> None:
    clean = sanitize_html(
        "<math>"
        '<mi style="color:red;position:fixed;z-index:9;background-image:url(x)">a</mi>'
        '<mi style="height:1em;vertical-align:-0.2em">b</mi>'
        '<mi style="padding-left:1em;position:relative">c</mi>'
        '<mi style="width:expression(alert(1))">d</mi>'
        '<mi style="transform:rotate(90deg)">e</mi><mi style="transform:scaleX(-1)">f</mi>'
        '</math><span style="color:red">g</span>'
    )
    assert "<mi>a</mi>" in clean  # position:fixed drops the whole style attribute
    assert "z-index" not in clean
    assert "url(" not in clean
    assert "expression" not in clean
    assert '<mi style="height:1em">b</mi>' in clean
    assert '<mi style="padding-left:1em;position:relative">c</mi>' in clean
    assert "<mi>e</mi>" in clean
    assert '<mi style="transform:scaleX(-1)">f</mi>' in clean
    assert "<span>g</span>" in clean


def test_llap_loses_only_its_absolute_positioning() -> None:
    # \llap is the one Temml construct that writes position:absolute; user content must
    # never be taken out of the flow (it could cover the page), so the style goes.
    raw = _mathml(r"\llap{x}")
    clean = sanitize_html(raw)
    assert "position:absolute" in raw
    assert "absolute" not in clean
    assert "<mi>x</mi>" in clean


def test_lengths_are_capped_at_twenty_em_either_way() -> None:
    clean = sanitize_html(
        '<math><mspace width="100cm" height="3in" depth="1em"></mspace>'
        '<mrow style="margin-left:-5in;padding:0.2em"></mrow></math>'
    )
    assert '<mspace width="20em" height="20em" depth="1em">' in clean
    assert 'style="margin-left:-20em;padding:0.2em"' in clean


def test_ids_are_limited_to_footnote_anchors() -> None:
    clean = sanitize_html('<li id="fn1">a</li><li id="fn2:1">b</li><a id="csrftoken">c</a>')
    assert '<li id="fn1">a</li>' in clean
    assert '<li id="fn2:1">b</li>' in clean
    assert "csrftoken" not in clean


def test_relative_urls_only_point_into_cite_media_or_footnotes() -> None:
    clean = sanitize_html(
        '<a href="/cite/x">1</a><a href="/media/y.png">2</a><a href="#fn1">3</a>'
        '<a href="/admin/">4</a><a href="//evil.example/">5</a><a href="#top">6</a>'
        '<a href="/cite/%2e%2e/admin">7</a><img src="/media/a.png"><img src="/static/a.png">'
    )
    for kept in ('href="/cite/x"', 'href="/media/y.png"', 'href="#fn1"', 'src="/media/a.png"'):
        assert kept in clean
    for dropped in ("/admin", "evil.example", "#top", "/static/"):
        assert dropped not in clean


def test_only_http_https_and_mailto_schemes_survive() -> None:
    clean = sanitize_html(
        '<a href="https://a.org">1</a><a href="http://b.org">2</a><a href="mailto:c@d.org">3</a>'
        '<a href="ftp://e.org">4</a><a href="data:text/html,x">5</a><a href="javascript:x">6</a>'
    )
    assert "https://a.org" in clean
    assert "http://b.org" in clean
    assert "mailto:c@d.org" in clean
    assert "ftp:" not in clean
    assert "data:" not in clean
    assert "javascript:" not in clean


def test_links_get_nofollow_ugc_noopener() -> None:
    clean = sanitize_html('<a href="https://a.org" rel="opener">x</a>')
    assert clean == '<a href="https://a.org" rel="nofollow ugc noopener">x</a>'


def test_headings_above_the_minimum_level_are_unwrapped() -> None:
    assert sanitize_html("<h1>a</h1><h2>b</h2><h3>c</h3>", min_heading=3) == "ab<h3>c</h3>"


def test_mutation_xss_through_mathml_is_neutralised() -> None:
    payload = "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"
    clean = sanitize_html(payload)
    assert "onerror" not in clean
    assert "<style" not in clean
    assert "<mglyph" not in clean
    assert_safe_html(clean)


def test_svg_is_stripped_now_that_math_needs_none() -> None:
    clean = sanitize_html(
        '<svg onload="alert(1)"><foreignObject><script>alert(1)</script></foreignObject>'
        '<a xlink:href="javascript:alert(1)"><path d="M0 0" onclick="x"/></a></svg>'
    )
    assert "onload" not in clean
    assert "onclick" not in clean
    assert "script" not in clean
    assert "foreignObject" not in clean
    assert "javascript" not in clean
    assert_safe_html(clean)
