"""The pipeline's shortcuts give the HTML of the plain way: one sanitiser pass for a document
and its excerpt, and many documents typeset in one engine call (``render_markdown_many``)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bench.pages import corpus
from shortscience.rendering import excerpt, math_engine, render_markdown, render_markdown_many
from shortscience.rendering.math_engine import MathRequest, MathResult
from shortscience.rendering.math_syntax import (
    ENV_INLINE_MATHML,
    attach_math_results,
    math_error_messages,
    math_problems,
)
from shortscience.rendering.pipeline import (
    MANY_DOCUMENTS,
    Rendered,
    _parse,
    _relative_prefixes,
)
from shortscience.rendering.sanitize import sanitize_html

KEYS = ["conf/nips/VaswaniSPUJGKP17", "journals/corr/KingmaW13"]
EDGE_CASES = [
    "",
    "   \n",
    r"Good $x^2$, broken $\frac{1}{$, good again $\alpha$.",
    "# Title\n\ntext with a note[^1] and $y$\n\n[^1]: the note, $z$",
    "| a | $\\bad{$ |\n|---|---|\n| $x$ | y |\n\n" + "More words here. " * 80,
    "$$\n\\begin{pmatrix} a \\\\ b \\end{pmatrix}\n$$\n\n" + "word " * 300,
    "- " + "a long item with $z$ " * 60 + "\n- second",
    "Private-use marks \ue000\ue000 and \ue001 stay text. $x$\n\n" + "Filler text. " * 90,
    "## Heading first\n\n" + "Paragraph $p$ text. " * 30 + "\n\n## Another\n\n" + "x " * 400,
]


def bench_summaries(count: int) -> list[str]:
    rng = random.Random(9)
    return [corpus.summary(rng, KEYS) for _ in range(count)]


def reference(source: str) -> Rendered:
    """The plain way: every formula's MathML in place, the document and its excerpt each
    rendered and sanitised on their own."""
    parsed = _parse(source, 2, "/cite/", None)
    if parsed is None:
        return Rendered(html="")
    results = math_engine.render_math(parsed.requests)
    attach_math_results(parsed.env, results)
    env = {**parsed.env, ENV_INLINE_MATHML: True}
    prefixes = _relative_prefixes("/cite/")

    def html(tokens: Sequence[Any]) -> str:
        raw = parsed.md.renderer.render(tokens, parsed.md.options, env)
        return sanitize_html(raw, min_heading=3, relative_prefixes=prefixes)

    whole = html(parsed.tokens)
    errors = tuple(math_error_messages(parsed.requests, results))
    problems = tuple(math_problems(parsed.tokens, results))
    opening = excerpt.select(parsed.tokens)
    if opening is None:
        return Rendered(html=whole, math_errors=errors, excerpt_html=whole, math_problems=problems)
    return Rendered(whole, errors, html(opening.tokens), opening.truncated, problems)


@pytest.fixture(scope="module")
def documents() -> list[str]:
    return bench_summaries(60) + EDGE_CASES


def test_the_bench_summaries_render_exactly_as_the_plain_way(documents: list[str]) -> None:
    for source in documents:
        assert render_markdown(source) == reference(source), source[:80]


def test_the_excerpt_is_the_opening_of_the_stored_html(documents: list[str]) -> None:
    cut = [render_markdown(source) for source in documents[:60]]
    assert all(r.truncated and r.html.startswith(r.excerpt_html) for r in cut)


def test_many_documents_at_once_give_what_one_at_a_time_gives(documents: list[str]) -> None:
    math_engine.clear_cache()
    one_by_one = [render_markdown(source) for source in documents]
    math_engine.clear_cache()
    assert list(render_markdown_many(documents)) == one_by_one
    assert list(render_markdown_many(iter(documents))) == one_by_one


def test_many_documents_go_to_the_engine_in_few_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    batches: list[int] = []
    original = math_engine._ENGINE.render

    def counting(requests: Sequence[MathRequest]) -> list[MathResult]:
        batches.append(len(requests))
        return original(requests)

    monkeypatch.setattr(math_engine._ENGINE, "render", counting)
    math_engine.clear_cache()
    sources = [f"Document {n}: $a_{{{n}}} + b^{{{n}}}$ and $c_{{{n}}}$." for n in range(120)]
    rendered = list(render_markdown_many(sources))
    assert len(batches) == -(-len(sources) // MANY_DOCUMENTS)
    assert sum(batches) == 240
    assert all(r.math_errors == () and r.html.count("<math") == 2 for r in rendered)


def test_a_broken_formula_in_a_batch_breaks_only_itself() -> None:
    math_engine.clear_cache()
    sources = ["Fine $x$.", r"Broken $\frac{1}{$ then fine $y$.", "Fine $z$ too."]
    first, broken, last = render_markdown_many(sources)
    assert first.math_errors == () and last.math_errors == ()
    assert len(broken.math_errors) == 1
    assert broken.html.count("<math") == 1
    assert broken.html.count('class="math-error"') == 1


def test_an_engine_failure_in_a_batch_fails_only_the_document_that_caused_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = math_engine._ENGINE.render

    def fragile(requests: Sequence[MathRequest]) -> list[MathResult]:
        if any(request.tex == r"\slow" for request in requests):
            return [MathResult(error="Math rendering timed out", transient=True)] * len(requests)
        return original(requests)

    monkeypatch.setattr(math_engine._ENGINE, "render", fragile)
    math_engine.clear_cache()
    sources = ["Fine $p$.", r"This one $\slow$ and $q$.", "Fine $r$ too."]
    first, slow, last = render_markdown_many(sources)
    assert first.math_errors == () and last.math_errors == ()
    assert len(slow.math_errors) == 2
    assert all("timed out" in message for message in slow.math_errors)


def test_threads_rendering_many_documents_at_once_get_their_own_results(
    documents: list[str],
) -> None:
    expected = [render_markdown(source) for source in documents]
    math_engine.clear_cache()
    shares = [documents[n::4] for n in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda share: list(render_markdown_many(share)), shares))
    assert got == [expected[n::4] for n in range(4)]


def test_each_failed_formula_is_listed_with_its_source_line_formula_and_message() -> None:
    source = (
        "Fine $x$.\n\n- item\n- item with $\\nope$\n\n| a | b |\n|---|---|\n| $\\bad$ | c |\n\n"
        "A paragraph\nover lines $y$ and\n$\\frac{1}$ here.\n\n"
        "\\begin{align}\n\\oops\n\\end{align}\n"
    )
    rendered = render_markdown(source)
    assert [(p.line, p.formula) for p in rendered.math_problems] == [
        (4, "\\nope"),
        (8, "\\bad"),
        (12, "\\frac{1}"),
        (14, "\\begin{align}\n\\oops\n\\end{align}"),
    ]
    assert all(p.message for p in rendered.math_problems)
    assert len(rendered.math_errors) == len(rendered.math_problems)
    assert render_markdown("All good $x$").math_problems == ()
