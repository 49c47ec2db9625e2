"""Cutting sanitised HTML to a size in bytes between top-level blocks (feed entries)."""

from __future__ import annotations

import pytest

from shortscience.rendering.bounded import cut

HTML = (
    "<p>Para <math><msup><mi>x</mi><mn>2</mn></msup></math> one.</p>\n"
    '<div class="math-display"><math display="block"><mi>a</mi></math></div>\n'
    "<p>End \u00e9<br>after a break.</p>\n"
)


def test_html_that_fits_comes_back_unchanged():
    assert cut(HTML, len(HTML.encode())) == (HTML, False)


@pytest.mark.parametrize("limit", range(0, len(HTML.encode())))
def test_a_cut_keeps_whole_top_level_blocks_within_the_bytes(limit):
    kept, was_cut = cut(HTML, limit)
    assert len(kept.encode()) <= limit
    assert was_cut == (kept != HTML.rstrip())
    blocks = [
        HTML[: HTML.index("</p>") + 4],
        HTML[: HTML.index("</div>") + 6],
        HTML.rstrip(),
    ]
    assert kept in ("", *blocks)
    assert kept.count("<math") == kept.count("</math>")


def test_bytes_not_characters_are_counted():
    text = "<p>" + "\u00e9" * 10 + "</p><p>more</p>"
    assert cut(text, 17 + 11) == ("<p>" + "\u00e9" * 10 + "</p>", True)
    assert cut(text, 16) == ("", True)
