"""Our parser still speaks CommonMark: the spec examples, run through ``build_parser()``.

``tests/data/rendering/commonmark_spec.json`` is the CommonMark 0.31.2 example list
(the spec text is CC-BY-SA 4.0, John MacFarlane) exactly as markdown-it-py 4.3.0 ships
it in ``tests/test_cmark_spec/commonmark.json`` of its source distribution.

Each example is rendered by the same markdown-it configuration ``render_markdown``
uses (commonmark preset, raw HTML off, tables, strikethrough, footnotes, math,
``\\cite``, bare-URL links, heading demotion with offset 0 via ``env``), without
KaTeX or sanitising, and must match the spec's HTML exactly, except:

* Raw HTML examples (72 of them): the spec passes HTML through, we turn raw HTML
  off on purpose. They are found, not listed: exactly the examples where plain
  ``MarkdownIt("commonmark", {"html": False})`` differs from the spec. For each we
  assert that plain markdown-it *with* HTML matches the spec (so HTML is the only
  cause) and that our output equals plain markdown-it without HTML (so none of our
  extensions changes them either).
* Example 12 (``\\[\\\\\\]`` among other escapes): CommonMark reads escaped
  brackets, our ``\\[..\\]`` rule reads display math around ``\\\\``.
* Examples 602, 608 and 611: a URL the spec leaves as text (``https://example.com``
  on its own, or inside a ``<..>`` that is not a valid autolink) becomes a link
  through our bare-URL linkifier.
* Examples 218, 239, 240 are compared after writing ``<blockquote></blockquote>`` as
  ``<blockquote>\\n</blockquote>``: a whitespace-only difference markdown-it-py's own
  spec test normalises the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from shortscience.rendering.pipeline import build_parser

SPEC_FILE = Path(__file__).resolve().parents[1] / "data" / "rendering" / "commonmark_spec.json"
SPEC = json.loads(SPEC_FILE.read_text(encoding="utf-8"))

MATH_EXAMPLES = {12}
LINKIFY_EXAMPLES = {602, 608, 611}
EMPTY_BLOCKQUOTE_EXAMPLES = {218, 239, 240}

PARSER = build_parser()
PLAIN_NO_HTML = MarkdownIt("commonmark", {"html": False})
PLAIN_WITH_HTML = MarkdownIt("commonmark")


def _normalise(example: dict[str, object], output: str) -> str:
    if example["example"] in EMPTY_BLOCKQUOTE_EXAMPLES:
        return output.replace("<blockquote></blockquote>", "<blockquote>\n</blockquote>")
    return output


def _needs_raw_html(example: dict[str, object]) -> bool:
    plain = PLAIN_NO_HTML.render(str(example["markdown"]))
    return _normalise(example, plain) != example["html"]


RAW_HTML = [e for e in SPEC if _needs_raw_html(e)]
CLAIMED = [
    e for e in SPEC if e not in RAW_HTML and e["example"] not in MATH_EXAMPLES | LINKIFY_EXAMPLES
]


def test_the_spec_file_is_commonmark_0_31_2_and_the_exclusions_are_few() -> None:
    assert len(SPEC) == 652
    assert [e["example"] for e in SPEC] == list(range(1, 653))
    assert len(RAW_HTML) == 72
    assert len(CLAIMED) == 652 - 72 - 4
    assert {e["section"] for e in RAW_HTML} >= {"HTML blocks", "Raw HTML"}


@pytest.mark.parametrize("example", CLAIMED, ids=[f"example-{e['example']}" for e in CLAIMED])
def test_claimed_spec_example_renders_exactly(example: dict[str, object]) -> None:
    output = PARSER.render(str(example["markdown"]), {})
    assert _normalise(example, output) == example["html"]


@pytest.mark.parametrize("example", RAW_HTML, ids=[f"example-{e['example']}" for e in RAW_HTML])
def test_raw_html_example_only_differs_because_html_is_off(example: dict[str, object]) -> None:
    markdown = str(example["markdown"])
    assert _normalise(example, PLAIN_WITH_HTML.render(markdown)) == example["html"]
    assert PARSER.render(markdown, {}) == PLAIN_NO_HTML.render(markdown)


@pytest.mark.parametrize("number", sorted(MATH_EXAMPLES | LINKIFY_EXAMPLES))
def test_excluded_examples_differ_only_through_our_extensions(number: int) -> None:
    example = next(e for e in SPEC if e["example"] == number)
    markdown = str(example["markdown"])
    assert PLAIN_NO_HTML.render(markdown) == example["html"]
    output = PARSER.render(markdown, {})
    assert output != example["html"]
    marker = '<span class="math-source">' if number in MATH_EXAMPLES else "<a href="
    assert marker in output
