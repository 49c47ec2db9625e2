"""A math-heavy old summary on a 390 px phone: nothing makes the page scroll sideways, a wide
display formula scrolls in its own box with a cue at the edge it overflows, equation numbers
never sit on the formula, long URLs and words wrap; and the same summary on a desktop."""

from __future__ import annotations

import pytest

from shortscience.services import comments
from tests.browser.conftest import no_sideways_scroll, screenshot
from tests.browser.test_account_pages import AXE, SERIOUS
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_URL = "https://example.org/" + "/".join(f"segment{n}-of-a-long-path" for n in range(8))
WIDE = " + ".join(
    rf"\frac{{\partial \mathcal{{L}}_{{{n}}}}}{{\partial \theta_{{{n}}}}}" for n in range(12)
)


def math_heavy_summary(image_url: str) -> str:
    return "\n\n".join(
        [
            "# What the paper does",
            f"**Problem: ** the gradient of every term matters. See {LONG_URL} for the code.",
            f"The sum is wide: $$\\sum_i {WIDE}$$",
            "$$\\mathcal{L}(\\theta) = \\mathbb{E}_{x \\sim p}\\left[\\log \\frac{p(x)}"
            "{q_\\theta(x)}\\right] + \\lambda \\lVert \\theta \\rVert_2^2 + \\mu \\sum_j "
            "\\mbox{KL}(p_j \\Vert q_j) \\tag{7}$$",
            "$$\\begin{align}a_1 &= b_1 + c_1 + d_1 + e_1 + f_1 + g_1 + h_1 + i_1 + j_1 \\\\ "
            "a_2 &= b_2 + c_2 + d_2 + e_2 + f_2 + g_2 + h_2 + i_2 + j_2\\end{align}$$",
            "Written inline: $\\begin{align}x &= y + z\\\\ w &= v\\end{align}$ and on we go.",
            f"The architecture, as in the old site, shown mid-sentence: {image_url} and then more "
            "text after the figure.",
            "A long word: Pneumonoultramicroscopicsilicovolcanoconiosis"
            "Supercalifragilisticexpialidocious and an inline formula "
            "$a_1 + a_2 + a_3 + a_4 + a_5 + a_6 + a_7 + a_8 + a_9 + a_{10} + a_{11} + a_{12}$.",
        ]
    )


@pytest.fixture(scope="module")
def axe_script() -> str:
    if not AXE.exists():
        pytest.skip("no node_modules/axe-core: run `npm ci` (make install)")
    return AXE.read_text()


def no_serious_axe_findings_in_the_text(page, axe_source: str) -> None:
    """axe-core on the summaries and comments (a scrollable region must be focusable...)."""
    page.evaluate(axe_source)
    results = page.evaluate(
        "axe.run({include: [['.summary-body'], ['.comment-body']]}, {resultTypes: ['violations']})"
    )
    serious = [v["id"] for v in results["violations"] if v["impact"] in SERIOUS]
    assert serious == [], serious


def numbers_clear_of_formulas(boxes) -> None:
    """The number of (7) and of the align rows stays clear of their formulas."""
    for index in (1, 2, 3):
        assert boxes.nth(index).evaluate(
            """el => {
                const tags = [...el.querySelectorAll('.tml-tag, .tml-eqn')];
                const formula = [...el.querySelectorAll('mtd')].filter(
                    cell => !cell.querySelector('.tml-tag, .tml-eqn') && cell.textContent.trim());
                const overlaps = (a, b) => !(a.right <= b.left || b.right <= a.left
                    || a.bottom <= b.top || b.bottom <= a.top);
                return tags.length > 0 && tags.every(tag => formula.every(cell =>
                    !overlaps(tag.getBoundingClientRect(), cell.getBoundingClientRect())));
            }"""
        ), f"an equation number overlaps its formula in display box {index}"


def test_a_math_heavy_summary_fits_a_phone_and_a_desktop(live_server, page_factory, axe_script):
    base = live_server.url
    paper = make_paper("Gradients Everywhere: A Study")
    image_url = f"{base}/static/admin/img/search.svg"
    summary = make_summary(paper=paper, markdown=math_heavy_summary(image_url))
    comments.add(make_user("longlinks"), summary.pk, f"Mirror: {LONG_URL} and more words here.")
    assert f'<img src="{image_url}" alt="search.svg">' in summary.html
    assert "math-error" not in summary.html

    phone = page_factory(device_scale_factor=2)
    phone.set_viewport_size({"width": 390, "height": 844})
    for path, name in (
        (f"/summaries/{summary.pk}/", "small-screen-summary"),
        (f"/papers/{paper.pk}/", "small-screen-paper"),
    ):
        phone.goto(base + path)
        phone.wait_for_load_state("networkidle")
        no_serious_axe_findings_in_the_text(phone, axe_script)
        screenshot(phone, name)
        no_sideways_scroll(phone)

    phone.goto(f"{base}/summaries/{summary.pk}/")
    boxes = phone.locator(".summary-body .math-display")
    wide = boxes.nth(0)
    # The wide formula scrolls inside its box, which says so and can be scrolled by keyboard.
    assert wide.evaluate("el => el.scrollWidth > el.clientWidth")
    assert "radial-gradient" in wide.evaluate("el => getComputedStyle(el).backgroundImage")
    assert wide.get_attribute("tabindex") == "0"
    assert wide.get_attribute("aria-label") == "Formula, scrolls sideways"
    wide.focus()
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function(
        "() => document.querySelector('.summary-body .math-display').scrollLeft > 0"
    )
    screenshot(phone, "small-screen-formula-scrolled")
    fits = phone.locator(".summary-body .math-display", has_text="and on we go").count()
    assert fits == 0
    numbers_clear_of_formulas(boxes)
    # Long URLs and words wrap inside the column.
    body_right = phone.locator(".summary-body").first.evaluate(
        "el => el.getBoundingClientRect().right"
    )
    link = phone.locator(f".summary-body a[href='{LONG_URL}']")
    assert link.evaluate("el => el.getBoundingClientRect().right") <= body_right + 0.5
    assert phone.locator(".summary-body img[alt='search.svg']").count() == 1

    desktop = page_factory()
    desktop.goto(f"{base}/summaries/{summary.pk}/")
    desktop.wait_for_load_state("networkidle")
    no_sideways_scroll(desktop)
    numbers_clear_of_formulas(desktop.locator(".summary-body .math-display"))
    screenshot(desktop, "desktop-math-heavy-summary")
