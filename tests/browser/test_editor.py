"""The editor as a writer uses it, in a real browser: autosave and its restore after a reload,
two tabs editing one summary, the character counter, and the list of formulas that failed."""

from __future__ import annotations

import re

import pytest

from shortscience.models import Summary
from shortscience.services import summaries
from tests.browser.conftest import no_sideways_scroll, screenshot
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN = "Intro with $x^2$.\n\nA broken one: $\\nosuchmacro{y}$\n\nAnd $\\frac{1}$ too.\n"


def test_autosave_keeps_the_text_as_a_draft_and_a_reload_restores_it(live_server, page_factory):
    base = live_server.url
    writer = make_user("autosaver")
    paper = make_paper("Deep Residual Learning")
    page = page_factory()
    sign_in(page, base, "autosaver")
    page.goto(f"{base}/papers/{paper.pk}/write/")
    page.locator("#editor-source").press_sequentially("Residual connections ease $f(x) + x$.")
    status = page.locator("#autosave-status")
    status.get_by_text("Draft saved").wait_for()
    draft = Summary.objects.get(author=writer, paper=paper)
    assert draft.draft_markdown == "Residual connections ease $f(x) + x$."
    assert not draft.is_public
    status.get_by_text(re.compile(r"Draft saved [1-9][0-9]* s ago")).wait_for()
    screenshot(page, "editor-autosaved")

    page.reload()
    assert page.locator("#editor-source").input_value() == draft.draft_markdown
    notice = page.locator("#draft-restored")
    assert "Restored your unpublished draft" in notice.inner_text()
    page.locator("#editor-preview math").first.wait_for()
    screenshot(page, "editor-draft-restored")

    notice.get_by_role("button", name="Discard the draft").click()
    page.wait_for_load_state()
    assert page.locator("#editor-source").input_value() == ""
    assert not Summary.objects.filter(author=writer, paper=paper).exists()


def test_two_tabs_on_one_summary_get_a_conflict_instead_of_a_silent_overwrite(
    live_server, page_factory
):
    base = live_server.url
    writer = make_user("twotabs")
    summary = make_summary(author=writer, markdown="The published text.")
    first = page_factory()
    sign_in(first, base, "twotabs")
    second = first.context.new_page()
    url = f"{base}/papers/{summary.paper_id}/write/"
    first.goto(url)
    second.goto(url)

    first.fill("#editor-source", "Written in the first tab.")
    first.get_by_role("button", name="Save and keep published").click()
    first.wait_for_load_state()
    summary.refresh_from_db()
    assert summary.markdown == "Written in the first tab."

    second.locator("#editor-source").press("Control+End")
    second.locator("#editor-source").press_sequentially(" Typed in the second tab.")
    status = second.locator("#autosave-status")
    status.get_by_text("changed in another tab or device").wait_for()
    assert "Not saved:" in status.inner_text()
    screenshot(second, "editor-autosave-conflict")

    second.get_by_role("button", name="Save and keep published").click()
    second.wait_for_load_state()
    conflict = second.locator("#save-conflict")
    assert "changed elsewhere since you opened it" in conflict.inner_text()
    assert "Written in the first tab." in conflict.inner_text()
    kept = second.locator("#editor-source").input_value()
    assert kept == "The published text. Typed in the second tab."
    summary.refresh_from_db()
    assert summary.markdown == "Written in the first tab."
    screenshot(second, "editor-save-conflict")


def test_failed_formulas_are_listed_beside_the_preview_with_links_to_their_lines(
    live_server, page_factory
):
    base = live_server.url
    make_user("formulas")
    paper = make_paper("Attention Is All You Need")
    page = page_factory()
    sign_in(page, base, "formulas")
    page.goto(f"{base}/papers/{paper.pk}/write/")
    page.fill("#editor-source", BROKEN)
    problems = page.locator("#formula-problems")
    problems.get_by_text("2 formulas failed").wait_for()
    items = problems.locator("li")
    assert items.count() == 2
    assert "line 3" in items.nth(0).inner_text() and "nosuchmacro" in items.nth(0).inner_text()
    assert "line 5" in items.nth(1).inner_text()
    # The inline error says why in visible text, not only on hover.
    after = page.evaluate(
        "getComputedStyle(document.querySelector('#editor-preview .math-error'), '::after').content"
    )
    assert "nosuchmacro" in after

    items.nth(1).get_by_role("link").click()
    at = page.evaluate("document.getElementById('editor-source').selectionStart")
    assert at == BROKEN.index("And $\\frac")
    assert page.evaluate("document.activeElement.id") == "editor-source"
    assert f"{len(BROKEN)} / 60,000 characters" in page.locator("#char-count").inner_text()
    screenshot(page, "editor-formula-problems")

    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    assert "2 formulas failed: line 3:" in page.locator("main").inner_text()
    assert page.locator("#formula-problems li").count() == 2
    screenshot(page, "editor-saved-with-formula-problems")


def test_the_counter_and_the_preview_refuse_a_text_over_the_limit(
    live_server, page_factory, settings
):
    settings.SUMMARY_MAX_CHARS = 40
    base = live_server.url
    make_user("counter")
    paper = make_paper("A Short Paper")
    page = page_factory()
    sign_in(page, base, "counter")
    page.goto(f"{base}/papers/{paper.pk}/write/")
    page.fill("#editor-source", "Short $x$.")
    page.locator("#editor-preview math").wait_for()
    assert "10 / 40 characters" in page.locator("#char-count").inner_text()
    page.fill("#editor-source", "x" * 45)
    counter = page.locator("#char-count")
    assert "5 over the limit" in counter.inner_text()
    preview = page.locator("#editor-preview")
    preview.get_by_text("over the 40-character limit").wait_for()
    assert preview.locator("math").count() == 0
    screenshot(page, "editor-over-the-limit")


def test_the_writer_sees_a_note_about_their_draft_and_readers_the_published_text(
    live_server, page_factory
):
    base = live_server.url
    writer = make_user("noted")
    summary = make_summary(author=writer, markdown="What readers read: $a + b$.")
    summaries.autosave(writer, summary.paper, "A rewrite nobody sees yet.", base_version=None)
    page = page_factory()
    sign_in(page, base, "noted")
    page.goto(f"{base}{summary.get_absolute_url()}")
    note = page.locator("#draft-note")
    assert "You have an unpublished draft" in note.inner_text()
    assert "A rewrite nobody sees yet." not in page.content()
    assert "What readers read" in page.locator("main").inner_text()
    screenshot(page, "summary-owner-draft-note")

    stranger = page_factory()
    stranger.goto(f"{base}{summary.get_absolute_url()}")
    assert stranger.locator("#draft-note").count() == 0
    assert "A rewrite nobody sees yet." not in stranger.content()


def test_the_editor_with_its_lists_fits_a_narrow_screen(live_server, page_factory):
    base = live_server.url
    make_user("narrow")
    paper = make_paper("Attention Is All You Need")
    page = page_factory()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "narrow")
    page.goto(f"{base}/papers/{paper.pk}/write/")
    page.fill("#editor-source", BROKEN + "\n" + "https://example.org/" + "a-long-path/" * 12)
    page.locator("#formula-problems").get_by_text("2 formulas failed").wait_for()
    no_sideways_scroll(page)
    screenshot(page, "editor-narrow")


def test_past_the_previews_limit_the_editor_opens_with_the_draft_and_a_note(
    live_server, page_factory, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "previewing": "1/3600"}
    base = live_server.url
    writer = make_user("manypreviews")
    summary = make_summary(writer, markdown="Published words.")
    summaries.autosave(writer, summary.paper, "My draft with $x^2$.", base_version=None)
    page = page_factory()
    sign_in(page, base, "manypreviews")
    page.goto(f"{base}/papers/{summary.paper_id}/write/")
    page.locator("#editor-preview math").first.wait_for()
    page.reload()
    page.locator("#editor-preview").get_by_text("No preview now").wait_for()
    assert page.locator("#editor-source").input_value() == "My draft with $x^2$."
    screenshot(page, "editor-previews-limit-reached")
