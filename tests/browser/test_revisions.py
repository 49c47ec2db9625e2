"""The author compares revisions word by word (desktop and a 390 px phone, no sideways
scrolling), then restores an old one and sees it published."""

from __future__ import annotations

import re

import pytest

from shortscience.models import Summary
from tests.browser.conftest import no_sideways_scroll, screenshot
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_URL = "https://example.org/" + "a-very-long-path-segment-" * 12 + "end"
FILLER = "".join(f"Background sentence {n} that no revision changes.\n" for n in range(60))
TEXTS = (
    "## Idea\n\nThe model uses $\\beta_1 = 0.9$ and a learning rate of 0.001 on ImageNet.\n\n"
    f"Code: {LONG_URL}\n\n{FILLER}\nResults are good.",
    "## Idea\n\nThe model uses $\\beta_1 = 0.95$ and a learning rate of 0.0003 on ImageNet.\n\n"
    f"Code: {LONG_URL}\n\n{FILLER}\nResults are good, but <b>not</b> best.",
    "## Main idea\n\nThe network uses $\\beta_1 = 0.95$ and warm-up on ImageNet and COCO.\n\n"
    f"Code: {LONG_URL}\n\n{FILLER}\nResults beat the baseline by 2 points.",
)


def test_word_diff_on_desktop_and_phone_then_restore(live_server, page_factory):
    base = live_server.url
    author, paper = make_user("reviser"), make_paper("Adam: A Method for Stochastic Optimization")
    for text in TEXTS:
        make_summary(author=author, paper=paper, markdown=text)
    summary = Summary.objects.get(author=author, paper=paper)
    assert summary.revisions.count() == 3

    page = page_factory()
    sign_in(page, base, "reviser")
    page.goto(f"{base}/summaries/{summary.pk}/")
    page.click("text=Revision history")
    page.wait_for_url(re.compile(r"/revisions/$"))
    assert page.locator("table.revisions tbody tr").count() == 3
    page.click(".revision-chooser button")  # the default: the previous one against the latest
    page.wait_for_url(re.compile(r"/diff/"))
    assert page.locator("h1").inner_text() == "Changes from revision 2 to 3"
    diff = page.locator(".word-diff")
    assert diff.locator("ins", has_text="COCO").count() == 1
    assert diff.locator("del", has_text="learning rate of 0.0003").count() == 1
    assert "<b>not</b>" in diff.inner_text()  # the source, escaped, not markup
    folded = diff.locator("details.unchanged")
    assert folded.count() == 1
    assert "Background sentence 30 " not in diff.inner_text()  # folded away until asked
    no_sideways_scroll(page)
    screenshot(page, "revisions-word-diff-desktop")
    folded.locator("summary").click()
    assert "Background sentence 30 " in diff.inner_text()

    page.select_option("#compare-old", "1")
    page.select_option("#compare-new", "3")
    page.click(".revision-chooser button")
    page.wait_for_url(re.compile(r"old=1&new=3"))
    assert page.locator("h1").inner_text() == "Changes from revision 1 to 3"

    phone = page_factory()
    phone.set_viewport_size({"width": 390, "height": 844})
    sign_in(phone, base, "reviser")
    phone.goto(f"{base}/summaries/{summary.pk}/diff/?old=1&new=3")
    assert phone.locator(".word-diff del").count() > 0
    no_sideways_scroll(phone)
    screenshot(phone, "revisions-word-diff-390")
    phone.goto(f"{base}/summaries/{summary.pk}/revisions/")
    no_sideways_scroll(phone)
    screenshot(phone, "revisions-history-390")

    page.click("button:has-text('Restore revision 1')")
    page.wait_for_url(re.compile(rf"/summaries/{summary.pk}/$"))
    assert page.locator(".messages").inner_text() == "Restored revision 1 as revision 4."
    body = page.locator(f"#summary-{summary.pk} .summary-body")
    assert "learning rate of 0.001" in body.inner_text()
    assert body.locator("math").count() == 1
    screenshot(page, "revisions-restored")

    reader = page_factory()
    reader.goto(f"{base}/summaries/{summary.pk}/")
    assert "learning rate of 0.001" in reader.locator(".summary-body").inner_text()
    summary.refresh_from_db()
    assert summary.is_public and summary.revisions.count() == 4


def test_too_many_changes_show_whole_lines_with_a_notice_on_a_phone(live_server, page_factory):
    base = live_server.url
    author, paper = make_user("reorderer"), make_paper("Reordered tokens")
    # One paragraph of 2,200 words, then the same words pairwise swapped: past the word budget.
    make_summary(
        author=author, paper=paper, markdown=" ".join(f"x{n % 50} y{n}" for n in range(1100))
    )
    make_summary(
        author=author, paper=paper, markdown=" ".join(f"y{n} x{n % 50}" for n in range(1100))
    )
    summary = Summary.objects.get(author=author, paper=paper)

    phone = page_factory()
    phone.set_viewport_size({"width": 390, "height": 844})
    sign_in(phone, base, "reorderer")
    phone.goto(f"{base}/summaries/{summary.pk}/diff/")
    assert "Too many changes to compare word by word" in phone.locator(".diff-legend").inner_text()
    assert phone.locator(".word-diff del").count() >= 1
    assert phone.locator(".word-diff ins").count() >= 1
    no_sideways_scroll(phone)
    screenshot(phone, "revisions-too-many-changes-390")
