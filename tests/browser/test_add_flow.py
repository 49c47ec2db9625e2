"""In a real browser: paste an arXiv URL, pick the paper, write, publish, read it on its page."""

from __future__ import annotations

import re

import pytest

from shortscience.models import Summary
from shortscience.services import outbound
from tests.browser.conftest import screenshot
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_user
from tests.recorded import recorded_fetcher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_a_pasted_arxiv_url_to_a_published_summary(live_server, page_factory, monkeypatch):
    fetcher = recorded_fetcher()
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)
    make_user("adder")
    page = page_factory()
    sign_in(page, live_server.url, "adder")
    page.click("header >> text=Add a summary")
    page.fill("input[name=q]", "https://arxiv.org/abs/1706.03762v7")
    page.click("text=Find the paper")
    page.locator(".candidates li", has_text="Attention Is All You Need").wait_for()
    screenshot(page, "add-summary-candidates")
    page.click("text=Summarise this paper")
    page.wait_for_url(re.compile(r"/papers/\d+/write/$"))
    page.fill(
        "#editor-source", "Scaled dot-product attention: $\\mathrm{softmax}(QK^T/\\sqrt{d_k})V$."
    )
    page.locator("#editor-preview math").first.wait_for()
    page.click("button[value=publish]")
    page.wait_for_url(re.compile(r"/summaries/\d+/$"))
    summary = Summary.objects.get(author__username="adder")
    page.goto(f"{live_server.url}/arxiv/1706.03762")
    assert page.url.endswith(f"/papers/{summary.paper_id}/")
    assert page.locator("h1.paper-title").inner_text() == "Attention Is All You Need"
    assert page.locator(f"#summary-{summary.pk} math").count() == 1
    screenshot(page, "paper-after-add")
