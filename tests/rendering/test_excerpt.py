"""The excerpt list pages show: whole blocks from the start, never a cut formula or tag."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shortscience.rendering import render_markdown
from shortscience.rendering.excerpt import ELLIPSIS, EXCERPT_CHARS

from .html_checks import assert_safe_html
from .test_properties import markdownish

VOID = frozenset({"br", "hr", "img", "mspace", "none", "mprescripts"})
PARAGRAPH = "Attention lets every position look at every other one in a single step. "


class _Text(HTMLParser):
    """Visible text, skipping footnote references and the footnote section, and whether
    every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[str] = []
        self.balanced = True
        self._skip_depth: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        classes = dict(attrs).get("class") or ""
        if self._skip_depth is None and ("footnote-ref" in classes or "footnotes" in classes):
            self._skip_depth = len(self.stack)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.balanced = False
            return
        self.stack.pop()
        if self._skip_depth is not None and len(self.stack) == self._skip_depth:
            self._skip_depth = None

    def handle_data(self, data: str) -> None:
        if self._skip_depth is None:
            self.parts.append(data)


def parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser


def text(html: str) -> str:
    return " ".join("".join(parse(html).parts).split())


def test_a_short_document_is_its_own_excerpt() -> None:
    rendered = render_markdown("One *short* paragraph with $x^2$.\n\n- and a list")
    assert rendered.excerpt_html == rendered.html
    assert rendered.truncated is False


def test_a_long_document_keeps_whole_leading_blocks_only() -> None:
    paragraphs = [f"Paragraph {n}: " + PARAGRAPH * 3 for n in range(6)]
    rendered = render_markdown("\n\n".join(paragraphs))
    assert rendered.truncated is True
    assert rendered.excerpt_html.startswith("<p>Paragraph 0:")
    assert rendered.excerpt_html.count("<p>") == 3  # three of about 220 characters fit in 700
    assert rendered.excerpt_html.endswith("</p>\n")
    assert rendered.html.startswith(rendered.excerpt_html)


def test_a_huge_first_paragraph_is_cut_at_a_word_with_an_ellipsis() -> None:
    rendered = render_markdown("**Bold start** " + PARAGRAPH * 40)
    assert rendered.truncated is True
    visible = text(rendered.excerpt_html)
    assert visible.endswith(ELLIPSIS)
    assert len(visible) <= EXCERPT_CHARS + 1
    assert visible[:-1].rstrip().split(" ")[-1] in PARAGRAPH.split(" ")  # a whole word
    assert rendered.excerpt_html.startswith("<p><strong>Bold start</strong>")


def test_an_emphasis_cut_short_is_closed() -> None:
    rendered = render_markdown("*" + (PARAGRAPH * 20).strip() + "*")
    assert rendered.excerpt_html.startswith("<p><em>")
    assert rendered.excerpt_html.endswith(ELLIPSIS + "</em></p>\n")


def test_a_formula_is_never_cut() -> None:
    long_formula = "$" + " + ".join(f"x_{{{n}}}" for n in range(400)) + "$"
    rendered = render_markdown("Short intro " + long_formula + " and more " + PARAGRAPH * 10)
    assert rendered.excerpt_html.count("<math") == rendered.excerpt_html.count("</math>")
    assert rendered.excerpt_html.count("<math") in (0, 1)
    display = render_markdown("$$" + long_formula.strip("$") + "$$\n\n" + PARAGRAPH * 20)
    assert display.excerpt_html.count("<math") == 1  # the first block, whole, however long
    assert "x_{399}" not in display.excerpt_html and "<mn>399</mn>" in display.excerpt_html


def test_a_long_first_list_keeps_the_items_that_fit() -> None:
    items = "\n".join(f"- item {n}: {PARAGRAPH}" for n in range(30))
    rendered = render_markdown(items)
    assert rendered.truncated is True
    assert rendered.excerpt_html.startswith("<ul>\n<li>item 0:")
    assert rendered.excerpt_html.endswith("</ul>\n")
    assert 5 <= rendered.excerpt_html.count("<li>") < 30


def test_footnote_definitions_and_their_references_are_left_out() -> None:
    rendered = render_markdown("A claim[^1] worth checking.\n\n[^1]: The source.")
    assert "footnote" not in rendered.excerpt_html
    assert "The source" not in rendered.excerpt_html
    assert rendered.excerpt_html == "<p>A claim worth checking.</p>\n"
    assert rendered.truncated is True  # the footnote is only on the full page


def test_a_heading_never_ends_an_excerpt() -> None:
    source = PARAGRAPH * 5 + "\n\n## Results\n\n" + PARAGRAPH * 10
    rendered = render_markdown(source)
    assert rendered.truncated is True
    assert "Results" not in rendered.excerpt_html


def test_xss_payloads_stay_harmless_in_the_excerpt() -> None:
    payload = "[x](javascript:alert(1)) <script>alert(1)</script> $\\href{javascript:x}{y}$ "
    rendered = render_markdown(payload * 30)
    assert rendered.truncated is True
    assert_safe_html(rendered.excerpt_html)
    assert "<script" not in rendered.excerpt_html


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(st.lists(markdownish, min_size=1, max_size=12).map("\n\n".join))
def test_the_excerpt_is_well_formed_safe_and_its_text_starts_the_document(source: str) -> None:
    rendered = render_markdown(source)
    excerpt = parse(rendered.excerpt_html)
    assert excerpt.balanced and not excerpt.stack, rendered.excerpt_html
    assert_safe_html(rendered.excerpt_html)
    assert rendered.excerpt_html.count("<math") == rendered.excerpt_html.count("</math>")
    opening = text(rendered.excerpt_html).removesuffix(ELLIPSIS).rstrip()
    assert text(rendered.html).startswith(opening), (opening, text(rendered.html))
    if not rendered.truncated:
        assert re.sub(r"\s+", " ", opening) == text(rendered.html)
