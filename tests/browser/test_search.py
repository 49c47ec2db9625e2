"""The search page in a browser: snippets read as text (formulas as TeX in code, citations as
the cited title), at desktop width and on a 390 px phone without sideways scrolling."""

from __future__ import annotations

import pytest

from shortscience.models import PaperIdentifier
from tests.browser.conftest import no_sideways_scroll, screenshot
from tests.factories import make_paper, make_summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_snippets_show_tex_in_code_and_cited_titles(live_server, page_factory):
    cited = make_paper("Attention Is All You Need")
    PaperIdentifier.objects.create(paper=cited, scheme="arxiv", value="1706.03762")
    make_summary(
        paper=make_paper("Adam: A Method for Stochastic Optimization"),
        markdown=(
            "## Idea\n\nAdam keeps **momentum** with $\\beta_1 = 0.9$ and $\\beta_2 = 0.999$, "
            "as used by \\cite{1706.03762}; see [the code](https://example.org/adam) and "
            "\\cite{unknown/key2014}.\n\n$$m_t = \\beta_1 m_{t-1} + (1-\\beta_1) g_t$$"
        ),
    )
    page = page_factory()
    page.goto(f"{live_server.url}/search/?q=momentum")
    snippet = page.locator(".search-hit-summary .snippet")
    assert snippet.locator("mark", has_text="momentum").count() == 1
    assert snippet.locator("code.tex", has_text="\\beta_1 = 0.9").count() == 1
    assert snippet.locator("cite", has_text="Attention Is All You Need").count() == 1
    text = snippet.inner_text()
    assert "$" not in text and "\\cite" not in text and "**" not in text and "](" not in text
    screenshot(page, "search-snippets-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    screenshot(page, "search-snippets-390")
