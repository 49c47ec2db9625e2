"""The old site's summaries render as the old site (marked + MathJax 2) showed them.

Each expectation is what a reader saw there: a MathJax 2 macro shows what its Temml equivalent
shows, an inline ``align`` shows as the aligned rows it was, ``**Label: **`` is bold up to the
colon. CommonMark's own reading must hold everywhere else (the spec examples run in
test_commonmark_spec.py; the emphasis cases nearest to the rule are here).
"""

from __future__ import annotations

import itertools

import pytest

from shortscience.rendering import legacy, math_engine, render_markdown
from shortscience.rendering.math_engine import MathRequest, render_math

from .html_checks import assert_safe_html

_fresh = itertools.count()


def tex(source: str, *, display: bool = False) -> str:
    result = render_math([MathRequest(tex=source, display=display)])[0]
    assert result.html is not None, result.error
    return result.html


# (what old summaries wrote, what Temml writes for what MathJax 2 showed)
MACROS = [
    (r"\mbox{a b} x", r"\text{a b} x"),
    (r"\mbox{if }x>0", r"\text{if }x>0"),
    (r"\require{cancel}\cancel{x}", r"\cancel{x}"),
    (r"\require{bm} \bm{x}", r"\bm{x}"),
    (r"\mathbbm{1}_{x>0}", r"\mathbb{1}_{x>0}"),
    (r"{\mit x}", r"{\it x}"),
    (r"\scr L", r"\cal L"),
    (r"\oldstyle 123", r"123"),
    (r"\strut x", r"\mathstrut x"),
    (r"\cases{a & x>0\cr b & x\le 0}", r"\begin{cases}a & x>0\\ b & x\le 0\end{cases}"),
    (r"\pmatrix{a & b\cr c & d}", r"\begin{pmatrix}a & b\\ c & d\end{pmatrix}"),
    (r"\eqalign{a &= b\cr c &= d}", r"\begin{aligned}a &= b\\ c &= d\end{aligned}"),
    (r"\displaylines{a\cr b}", r"\begin{gathered}a\\ b\end{gathered}"),
    (r"\root 3 \of x", r"\sqrt[3]{x}"),
    (r"\buildrel \text{def} \over =", r"\mathrel{\overset{\text{def}}{=}}"),
    (r"\DeclareMathOperator{\foo}{foo} \foo x", r"\operatorname{foo} x"),
    (r"\DeclareMathOperator*{\am}{arg\,max} \am_x f", r"\operatorname*{arg\,max}_x f"),
    (r"\bbox[yellow]{x}", r"\boxed{x}"),
    (r"\bbox{x}", r"\boxed{x}"),
    # MathJax 2's \newcommand defines the name whatever it meant before (Temml refuses \vec).
    (r"\newcommand{\vec}[1]{\mathbf{#1}} \vec{x}", r"\mathbf{x}"),
    (r"\newcommand\vec[1]{\mathbf{#1}} \vec{x}", r"\mathbf{x}"),
    (r"\newcommand{\R}{\mathbb{R}} x \in \R", r"x \in \mathbb{R}"),
    (r"\newcommand{\E}[1]{\mathbb{E}\left[#1\right]} \E{x}", r"\mathbb{E}\left[x\right]"),
]

# MathJax 2 macros Temml already has: they must keep rendering without an error.
NATIVE = [
    r"\bm{x}", r"\boldsymbol{\theta}", r"{\rm d}x", r"{\bf x}", r"{\it x}", r"{\cal L}",
    r"a \over b", r"n \choose k", r"a \atop b", r"a \lt b \gt c", r"\textsc{Abc}",
    r"\dfrac{a}{b}", r"\def\x{y} \x", r"\hbox{a b}", r"\Bbb R", r"\bold x", r"\pmb x",
    r"\color{red} x", r"\matrix{a & b\cr c & d}", r"\operatorname*{argmax}_x",
]  # fmt: skip


@pytest.mark.parametrize(("old", "native"), MACROS, ids=[old for old, _ in MACROS])
def test_a_mathjax_2_macro_shows_what_mathjax_2_showed(old: str, native: str) -> None:
    rendered = render_markdown(f"Then ${old}$ holds.")
    assert rendered.math_errors == ()
    assert tex(native) in rendered.html


@pytest.mark.parametrize("source", NATIVE)
def test_mathjax_2_macros_temml_knows_still_render(source: str) -> None:
    assert render_markdown(f"${source}$").math_errors == ()


def test_a_definition_holds_for_the_formulas_after_it_as_mathjax_2_kept_it() -> None:
    rendered = render_markdown(
        "Before: $\\vec{x}$ and $\\Q$.\n\n"
        "Let $\\def\\Q{\\mathbb{Q}}\\newcommand{\\vec}[1]{\\mathbf{#1}}"
        "\\DeclareMathOperator*{\\argmax}{arg\\,max} x$.\n\n"
        "After: $\\vec{x} \\in \\Q$ and $$\\argmax_\\theta f$$ and $\\Q + \\nope$."
    )
    before, after = rendered.html.split("After:")
    assert tex(r"\vec{x}") in before and "math-error" in before  # \Q is not defined yet
    assert tex(r"\mathbf{x} \in \mathbb{Q}") in after
    assert tex(r"\operatorname*{arg\,max}_\theta f", display=True) in after
    assert [message.split(":")[0] for message in rendered.math_errors] == [
        "Unsupported function name",
        "Unsupported function name",
    ]
    # The error names the place in the formula as written, not after the definitions.
    assert "\\nope at position 6" in rendered.math_errors[1]


def test_carried_definitions_are_whole_definitions_only() -> None:
    assert legacy.definitions(
        r"\newcommand{\R}{\mathbb{R}} \newcommand\V[2][x]{#1 #2} \def\x#1\y{a#1}"
        r"\renewcommand{\broken}{"
    ) == [r"\newcommand{\R}{\mathbb{R}}", r"\newcommand\V[2][x]{#1 #2}", r"\def\x#1\y{a#1}"]


def test_a_document_without_definitions_is_sent_as_it_is() -> None:
    requests = [MathRequest(r"\frac{a}{b}", False), MathRequest(r"x", True)]
    assert legacy.carry_definitions(requests) is requests


def test_eqnarray_shows_as_its_three_columns() -> None:
    rendered = render_markdown("$$\\begin{eqnarray}a &=& b\\\\ c &=& d\\end{eqnarray}$$")
    assert rendered.math_errors == ()
    assert tex(r"\begin{darray}{rcl}a &=& b\\ c &=& d\end{darray}", display=True) in rendered.html


INLINE_DISPLAY = [
    r"\begin{align}a &= b\\ c &= d\end{align}",
    r"\begin{align*}a &= b\end{align*}",
    r"\begin{aligned}a &= b\end{aligned}",
    r"\begin{gather}a\\ b\end{gather}",
    r"\begin{equation}E = mc^2\end{equation}",
    r"\begin{multline}a\\ b\end{multline}",
    r"\begin{split}a &= b\end{split}",
    r"\begin{alignat}{2}a &= b & c &= d\end{alignat}",
    r"\begin{flalign}a &= b\end{flalign}",
    r"x = 1 \tag{3}",
]


@pytest.mark.parametrize("formula", INLINE_DISPLAY)
def test_an_environment_written_between_single_dollars_renders(formula: str) -> None:
    rendered = render_markdown(f"We have ${formula}$ for all $x$.")
    assert rendered.math_errors == ()
    assert "<math" in rendered.html and "math-error" not in rendered.html
    assert_safe_html(rendered.html)


def test_an_inline_align_is_shown_as_its_display_form() -> None:
    formula = r"\begin{align}a &= b\\ c &= d\end{align}"
    html = render_markdown(f"${formula}$").html
    assert html == f'<p><span class="math-display">{tex(formula, display=True)}</span></p>\n'


def test_a_broken_inline_environment_keeps_its_own_error() -> None:
    rendered = render_markdown(r"$\begin{align}\frac{a&=b\end{align}$")
    assert len(rendered.math_errors) == 1
    assert 'class="math-error"' in rendered.html


def test_only_the_formulas_that_fail_inline_cost_a_second_engine_call(monkeypatch) -> None:
    calls: list[int] = []
    render = math_engine._ENGINE.render

    def counting(requests):
        calls.append(len(requests))
        return render(requests)

    monkeypatch.setattr(math_engine._ENGINE, "render", counting)
    n = next(_fresh)
    plain = " ".join(f"$x_{{{n}}}^{{{i}}}$" for i in range(20))
    render_markdown(f"{plain} and $\\begin{{align}}a_{{{n}}}&=b\\end{{align}}$")
    assert calls == [21]  # environments are sent in display mode at once
    render_markdown(f"$y_{{{n}}} \\tag{{1}}$ and $z_{{{n}}} \\tag{{2}}$ and $w_{{{n}}}$")
    assert calls == [21, 3, 2]  # the two \tag formulas, retried together


# --- **Label: ** -------------------------------------------------------------

# (source, what marked showed)
OLD_STRONG = [
    ("**Label: ** text", "<p><strong>Label: </strong> text</p>\n"),
    ("**Label: **text", "<p><strong>Label: </strong>text</p>\n"),
    ("**Label: **", "<p><strong>Label: </strong></p>\n"),
    ("**Step 1. ** go", "<p><strong>Step 1. </strong> go</p>\n"),
    ("__Label: __ text", "<p><strong>Label: </strong> text</p>\n"),
    (
        "* **Pros: ** fast\n* **Cons: ** slow",
        "<ul>\n<li><strong>Pros: </strong> fast</li>\n"
        "<li><strong>Cons: </strong> slow</li>\n</ul>\n",
    ),
    (
        "**Problem: ** we study x.\n**Method: ** we use **y**.",
        "<p><strong>Problem: </strong> we study x.\n"
        "<strong>Method: </strong> we use <strong>y</strong>.</p>\n",
    ),
    # CommonMark pairs the first ** with one much later: bold for the whole paragraph.
    (
        "**Contribution: ** a model that is big**, and more",
        "<p><strong>Contribution: </strong> a model that is big**, and more</p>\n",
    ),
    (
        "**A: **text **B:** more",
        "<p><strong>A: </strong>text <strong>B:</strong> more</p>\n",
    ),
    ("*see **Note: ** here*", "<p><em>see <strong>Note: </strong> here</em></p>\n"),
]

# CommonMark readings the rule must leave alone.
COMMONMARK_STRONG = [
    ("**foo bar **", "<p>**foo bar **</p>\n"),  # spec: no punctuation before the space
    ("__foo bar __", "<p>__foo bar __</p>\n"),
    ("__foo, __bar__, baz__", "<p><strong>foo, <strong>bar</strong>, baz</strong></p>\n"),
    ("**Note:** x, **bold** y", "<p><strong>Note:</strong> x, <strong>bold</strong> y</p>\n"),
    ("Note: **bold** y", "<p>Note: <strong>bold</strong> y</p>\n"),
    ("**a: **b**", "<p>**a: <strong>b</strong></p>\n"),  # CommonMark pairs it: kept
    ("**Label:\nmore: ** x", "<p>**Label:\nmore: ** x</p>\n"),  # opened on another line
    ("`**Label: **`", "<p><code>**Label: **</code></p>\n"),
    ("$**a: **$", None),
]


@pytest.mark.parametrize(("source", "html"), OLD_STRONG, ids=[s for s, _ in OLD_STRONG])
def test_label_bold_closes_where_marked_closed_it(source: str, html: str) -> None:
    assert render_markdown(source).html == html


@pytest.mark.parametrize(
    ("source", "html"), COMMONMARK_STRONG, ids=[s for s, _ in COMMONMARK_STRONG]
)
def test_commonmark_emphasis_is_unchanged_elsewhere(source: str, html: str | None) -> None:
    rendered = render_markdown(source).html
    if html is None:
        assert "<strong>" not in rendered
    else:
        assert rendered == html


def test_a_paragraph_of_thousands_of_labels_closes_each_one() -> None:
    html = render_markdown("**Label: ** text " * 3000).html
    assert html.count("<strong>Label: </strong> text") == 3000
    assert "**" not in html


def test_a_formula_gets_only_the_earlier_definitions_it_uses() -> None:
    # \E uses \R, which uses \mathbb: a formula writing \E brings both, one writing \V only \V,
    # and the many that write none get no preamble at all (and share the cache).
    defining = MathRequest(
        r"\newcommand{\R}{\mathbb{R}} \def\E#1{\R^{#1}} \newcommand\V[1]{\vec{#1}}", False
    )
    plain = [MathRequest(f"x_{{{n}}} + y", False) for n in range(2000)]
    requests = [
        defining,
        *plain,
        MathRequest(r"\E{n}", False),
        MathRequest(r"\V x", True),
        MathRequest(r"\Rx \Vx", False),  # other names
    ]
    carried = legacy.carry_definitions(requests)
    assert carried[: 1 + len(plain)] == requests[: 1 + len(plain)]  # nothing prepended
    assert sum(len(request.preamble) for request in carried) == len(
        r"\newcommand{\R}{\mathbb{R}}\def\E#1{\R^{#1}}\newcommand\V[1]{\vec{#1}}"
    )
    assert [request.preamble for request in carried[-3:]] == [
        r"\newcommand{\R}{\mathbb{R}}\def\E#1{\R^{#1}}",
        r"\newcommand\V[1]{\vec{#1}}",
        "",
    ]


def test_a_name_defined_twice_gets_both_definitions_in_order() -> None:
    rendered = render_markdown(
        "First $\\newcommand{\\R}{\\mathbb{R}}$ then $\\renewcommand{\\R}{\\mathbb{Q}}$.\n\n"
        "After: $x \\in \\R$."
    )
    assert rendered.math_errors == ()
    assert tex(r"x \in \mathbb{Q}") in rendered.html.split("After:")[1]


def test_a_definition_brings_the_definitions_it_uses_along() -> None:
    rendered = render_markdown(
        "Let $\\newcommand{\\R}{\\mathbb{R}}$ and $\\def\\E#1{\\R^{#1}}$.\n\n"
        "After: $\\E{n}$ and $x$."
    )
    assert rendered.math_errors == ()
    assert tex(r"\mathbb{R}^{n}") in rendered.html.split("After:")[1]
