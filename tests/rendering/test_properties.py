"""Property tests: any text renders without raising, to HTML the XSS checker accepts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shortscience.rendering import Rendered, render_markdown
from shortscience.rendering.sanitize import sanitize_html

from .html_checks import assert_safe_html

# Fragments that exercise every syntax the renderer knows, and the usual attacks.
FRAGMENTS = [
    "$", "$$", "\\$", "\\(", "\\)", "\\[", "\\]", "\\\\", "{", "}", "\\frac{", "\\sqrt",
    "\\begin{align}", "\\end{align}", "&", "_", "^", "*", "**", "~~", "`", "```", "\n",
    "\n\n", "    ", "# ", "> ", "- ", "1. ", "| a | b |\n|---|---|\n", "|", "[", "]", "(",
    ")", "![", "](", "[^1]", "[^1]: ", "\\cite{", "conf/iccv/X15", ",", "http://",
    "https://", "www.", "example.com", ".png", "/", "<", ">", "<script>", "javascript:",
    "alert(1)", "\\href{javascript:alert(1)}{x}", "\\url{", "\\htmlId{a}{b}", "\"", "'",
    "onerror=", "&#106;", "\x00", "\x07", "\ud800", "\u2028", "x", "y_1", " ",
]  # fmt: skip

markdownish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=40).map(
    "".join
)
any_text = st.one_of(st.text(max_size=300), markdownish)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


@SETTINGS
@given(any_text)
def test_render_markdown_never_raises_and_output_is_safe(source: str) -> None:
    rendered = render_markdown(source)
    assert isinstance(rendered, Rendered)
    assert isinstance(rendered.html, str)
    assert all(isinstance(message, str) for message in rendered.math_errors)
    rendered.html.encode("utf-8")  # no lone surrogates survive
    assert "\x00" not in rendered.html
    assert_safe_html(rendered.html)


@SETTINGS
@given(markdownish)
def test_sanitising_rendered_output_again_changes_nothing(source: str) -> None:
    html = render_markdown(source, heading_offset=0).html
    assert sanitize_html(html) == html
