"""The library in a real browser: a reader saves a paper (htmx), creates a list, moves the
paper into it, marks it read, writes a note with a formula, exports BibTeX and makes the list
public; every page passes axe and the content security policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from shortscience.models import ReadingList, SavedPaper
from tests.browser.conftest import screenshot
from tests.browser.test_account_pages import Checker, axe_source  # noqa: F401 -- the fixture
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_builds_a_list_notes_a_paper_and_shares_the_list(
    live_server,
    page_factory,
    axe_source,  # noqa: F811 -- the fixture
):
    base = live_server.url
    paper = make_paper("Deep Residual Learning for Image Recognition")
    ada = make_user("adareader")
    # A summarised paper: an empty one's "Be the first." link is another part's axe finding.
    make_summary(author=make_user("bobwriter"), paper=paper)
    page = page_factory()
    check = Checker(page, base, axe_source)
    sign_in(page, base, ada.username)

    check.visit(f"/papers/{paper.pk}/")
    control = page.locator(f"#library-{paper.pk}")
    control.get_by_role("button", name="Save to library").click()
    control.locator(".saved").wait_for()
    assert SavedPaper.objects.filter(owner=ada, paper=paper).exists()

    check.visit("/library/")
    page.fill("#library-new-list", "Vision")
    with page.expect_navigation():
        page.get_by_role("button", name="Create").click()
    vision = ReadingList.objects.get(owner=ada, name="Vision")

    check.visit(f"/papers/{paper.pk}/")
    page.locator(f"#library-{paper.pk} .saved").wait_for()
    page.select_option(f"#library-move-{paper.pk}", str(vision.pk))
    page.locator(f"#library-{paper.pk}").get_by_role("button", name="Move", exact=True).click()
    page.locator(f"#library-{paper.pk} .saved a", has_text="Vision").wait_for()
    page.select_option(f"#library-status-{paper.pk}", "read")
    page.locator(f"#library-{paper.pk}").get_by_role("button", name="Set status").click()
    page.locator(f"#library-status-{paper.pk} option[value=read][selected]").wait_for(
        state="attached"
    )
    check.check("paper page, saved")
    screenshot(page, "library-paper-partial")
    entry = SavedPaper.objects.get(owner=ada, paper=paper)
    assert (entry.reading_list_id, entry.status) == (vision.pk, "read")

    page.locator(f"#library-{paper.pk}").get_by_role("link", name="Write a note").click()
    page.wait_for_load_state()
    page.fill("#library-note-text", "Residuals: $y = F(x) + x$")
    with page.expect_navigation():
        page.get_by_role("button", name="Save note").click()
    assert page.locator(".library-note math").count() >= 1
    check.check("note page")

    check.visit("/library/")
    assert "Residuals" in page.locator(".library-entries").inner_text()
    screenshot(page, "library-home")

    check.visit(vision.get_absolute_url())
    with page.expect_download() as download:
        page.get_by_role("link", name="BibTeX").click()
    assert "Deep Residual Learning" in Path(download.value.path()).read_text(encoding="utf-8")
    with page.expect_navigation():
        page.get_by_role("button", name="Make public").click()
    check.check("list page, public")
    screenshot(page, "library-list")

    stranger = page_factory()
    stranger.goto(base + vision.get_absolute_url())
    assert "Deep Residual Learning" in stranger.content()
    assert "Residuals" not in stranger.content()
