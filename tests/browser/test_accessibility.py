"""Every main page, with demo-like content, at 1280 px and at 390 px: axe-core
(docs/decisions/0018-accessibility-check.md) finds no serious or critical violation, the page
has its one h1 and a skip link as its first focusable element, and no Content-Security-Policy
violation is reported. A few pages again in the dark theme (prefers-color-scheme: dark).

What is checked and how to run it: docs/accessibility.md."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from shortscience.models import Paper, Summary, User, Venue
from shortscience.services import comments, library, moderation, wanted
from tests.browser.conftest import screenshot
from tests.browser.test_account_pages import Checker, axe_source  # noqa: F401 -- a fixture
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

SUMMARY_TEXT = "\n\n".join(
    [
        "## What the paper does",
        "It trains a deep network with shortcut connections, so that each block learns "
        "a residual $F(x) = H(x) - x$ and the output is $y = F(x, \\{W_i\\}) + x$. "
        "See [the code](https://example.org/code) for details.",
        "$$\\mathcal{L}(\\theta) = \\sum_i \\log p_\\theta(x_i)$$",
        "A broken formula stays readable: $\\frac{1}{$ and the text goes on.",
    ]
)


@dataclass
class Site:
    """Demo content: a venue, a paper with two summaries and a thread, a reader."""

    venue: Venue
    paper: Paper
    summary: Summary
    writer: User
    reader: User
    moderator: User
    unsummarised: Paper


@pytest.fixture
def site() -> Site:
    venue = Venue.objects.create(
        key="CVPR", name="Conference on Computer Vision and Pattern Recognition"
    )
    paper = make_paper("Deep Residual Learning for Image Recognition", venue=venue)
    writer = make_user("kaiming", display_name="Kaiming Writer")
    reader = make_user("reader")
    summary = make_summary(author=writer, paper=paper, markdown=SUMMARY_TEXT)
    make_summary(author=make_user("second"), paper=paper, markdown="A short **second** take.")
    first = comments.add(reader, summary.pk, "Does $x$ need to match $F(x)$ in size?")
    comments.add(writer, summary.pk, "A projection fixes that, see section 3.", first.pk)
    unsummarised = make_paper("Attention Is All You Need", venue=venue)
    wanted.want(reader, unsummarised.pk)
    library.save(reader, paper.pk)
    library.create_list(reader, "Vision", public=True)
    moderator = make_user("mod")
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
    moderation.flag(make_user("flagger"), "comment", first.pk, "abusive", "Rude, I think")
    return Site(venue, paper, summary, writer, reader, moderator, unsummarised)


def _paper(site: Site) -> str:
    return f"/papers/{site.paper.pk}/"


def _summary(site: Site) -> str:
    return f"/summaries/{site.summary.pk}/"


def _write(site: Site) -> str:
    return f"/papers/{site.paper.pk}/write/"


def _list_page(site: Site) -> str:
    reading_list = library.lists_of(site.reader)[-1]
    return f"/lists/{reading_list.pk}-{reading_list.slug}/"


# (name, path from the demo content, signed in as: None, "reader" or "writer", status)
Path = Callable[[Site], str]
PAGES: list[tuple[str, Path, str | None, int]] = [
    ("home", lambda s: "/", None, 200),
    ("home, best", lambda s: "/?tab=best", "reader", 200),
    ("paper", _paper, None, 200),
    ("paper, signed in", _paper, "reader", 200),
    ("paper without summaries", lambda s: f"/papers/{s.unsummarised.pk}/", "reader", 200),
    ("summary", _summary, None, 200),
    ("summary, signed in", _summary, "reader", 200),
    ("summary, its writer", _summary, "writer", 200),
    ("revision history", lambda s: f"/summaries/{s.summary.pk}/revisions/", "writer", 200),
    ("random", lambda s: "/random/", None, 200),
    ("user", lambda s: "/users/kaiming/", "reader", 200),
    ("users", lambda s: "/users/", None, 200),
    ("venue", lambda s: "/venues/CVPR/", None, 200),
    ("venues", lambda s: "/venues/", None, 200),
    ("search", lambda s: "/search/?q=residual", None, 200),
    ("search, empty", lambda s: "/search/", None, 200),
    ("about", lambda s: "/about/", None, 200),
    ("editor", _write, "writer", 200),
    ("editor, new summary", _write, "reader", 200),
    ("add", lambda s: "/add/", "reader", 200),
    ("wanted", lambda s: "/wanted/", "reader", 200),
    ("library", lambda s: "/library/", "reader", 200),
    ("reading list", _list_page, None, 200),
    ("following", lambda s: "/following/", "reader", 200),
    ("notifications", lambda s: "/notifications/", "writer", 200),
    ("profile", lambda s: "/settings/profile/", "reader", 200),
    ("notification settings", lambda s: "/settings/notifications/", "reader", 200),
    ("e-mail addresses", lambda s: "/accounts/email/", "reader", 200),
    ("moderation queue", lambda s: "/moderation/", "mod", 200),
    ("moderation log", lambda s: "/moderation/log/", None, 200),
    ("sign in", lambda s: "/accounts/login/", None, 200),
    ("not found", lambda s: "/no-such-page/", None, 404),
]


def signed_in_page(page_factory: Any, base: str, who: User | None, width: str) -> Any:
    """A tab at `width`, carrying the session of `who` (made by Django's test client)."""
    w, h = WIDTHS[width]
    page = page_factory()
    page.set_viewport_size({"width": w, "height": h})
    if who is not None:
        client = Client()
        client.force_login(who)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": base, "httpOnly": True}]
        )
    return page


FOCUSABLE = (
    "[...document.querySelectorAll('a[href], button, input:not([type=hidden]), select,"
    " textarea, summary, [tabindex]')].filter(e => e.tabIndex >= 0 && !e.disabled)"
)


def skip_link_first(page: Any, where: str) -> None:
    """ "Skip to content" is the first focusable element, leads to the main content and shows
    a focus outline; with nothing focused (no autofocus field) it is the first Tab stop."""
    first = page.evaluate(
        f"(() => {{ const e = {FOCUSABLE}[0];"
        " return [e.textContent.trim(), e.getAttribute('href')]; })()"
    )
    assert first == ["Skip to content", "#content"], (where, first)
    assert page.locator("main#content").count() == 1, where
    if page.evaluate("document.activeElement === document.body"):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[document.activeElement.textContent.trim(),"
            " getComputedStyle(document.activeElement).outlineStyle,"
            " document.activeElement.getBoundingClientRect().top >= 0]"
        )
        assert focused == ["Skip to content", "solid", True], (where, focused)
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "content", where


def headings_in_order(page: Any, where: str) -> None:
    """The site's own headings start at h1 and skip no level. Headings inside written text
    (summaries, comments, previews) are the writer's and are demoted below the page's own
    (rendering/pipeline.py); they are left out."""
    levels = page.evaluate(
        "[...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]"
        ".filter(h => !h.closest('.summary-body, .comment-body, .comment-preview, .description'))"
        ".map(h => Number(h.tagName[1]))"
    )
    assert levels and levels[0] == 1, (where, levels)
    skipped = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
    assert skipped == [], (where, "heading levels skip", levels)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize(("name", "path", "who", "status"), PAGES, ids=[p[0] for p in PAGES])
def test_every_main_page_passes_the_accessibility_check(
    live_server,
    page_factory,
    axe_source,  # noqa: F811 -- the fixture
    site,
    name,
    path,
    who,
    status,
    width,
):
    person = {"reader": site.reader, "writer": site.writer, "mod": site.moderator}.get(who or "")
    page = signed_in_page(page_factory, live_server.url, person, width)
    checker = Checker(page, live_server.url, axe_source)
    where = f"{name} ({width})"
    checker.visit(path(site), status)
    skip_link_first(page, where)
    headings_in_order(page, where)
    if width == "desktop":
        # The header (search box, account links, notification count) stays one line at 1280.
        height = page.evaluate("document.querySelector('.site-header nav').offsetHeight")
        assert height < 60, (where, "the header wraps", height)
    if name in ("summary", "editor"):
        screenshot(page, f"accessibility-{name}-{width}")


DARK = [
    ("home", lambda s: "/", None),
    ("paper", _paper, None),
    ("summary", _summary, None),
    ("editor", _write, "writer"),
]


@pytest.mark.parametrize(("name", "path", "who"), DARK, ids=[p[0] for p in DARK])
def test_the_dark_theme_passes_the_accessibility_check(
    live_server,
    page_factory,
    axe_source,  # noqa: F811 -- the fixture
    site,
    name,
    path,
    who,
):
    person = {"reader": site.reader, "writer": site.writer, "mod": site.moderator}.get(who or "")
    page = signed_in_page(page_factory, live_server.url, person, "desktop")
    page.emulate_media(color_scheme="dark")
    checker = Checker(page, live_server.url, axe_source)
    checker.visit(path(site))
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(251, 251, 253)", (name, "the dark theme is not applied")
    if name == "paper":
        screenshot(page, "dark-paper")
    if name == "summary":
        # MathML takes the text's colour: a formula is light on the dark page.
        colours = page.evaluate(
            "[getComputedStyle(document.querySelector('.summary-body math')).color,"
            " getComputedStyle(document.body).color]"
        )
        assert colours[0] == colours[1], colours


def test_a_broken_formula_says_why_in_visible_text(live_server, page_factory, site):
    page = signed_in_page(page_factory, live_server.url, None, "desktop")
    page.goto(live_server.url + _summary(site))
    error = page.locator(".summary-body .math-error").first
    reason = error.get_attribute("title") or ""
    assert reason.startswith("Unexpected end of input"), reason
    assert error.text_content() == "\\frac{1}{"
    # The reason is drawn after the formula (a CSS string: quoted, backslashes escaped).
    shown = error.evaluate("el => getComputedStyle(el, '::after').content")
    assert shown.startswith('" ⚠ Unexpected end of input'), shown
    assert error.evaluate("el => el.getBoundingClientRect().width") > 300
    screenshot(page, "broken-formula")


def test_the_header_search_box_works_without_javascript(live_server, browser, site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/about/")
        box = page.get_by_role("searchbox", name="Search papers and summaries")
        box.fill("residual")
        with page.expect_navigation():
            box.press("Enter")
        assert page.url.endswith("/search/?q=residual"), page.url
        assert page.locator(".search-results").get_by_text("Deep Residual Learning").count() >= 1
    finally:
        context.close()


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "steelblue").save(buffer, "PNG")
    return buffer.getvalue()


def test_an_uploaded_image_is_described_or_left_with_a_placeholder_to_edit(
    live_server, page_factory, site, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page = signed_in_page(page_factory, live_server.url, site.reader, "desktop")
    page.goto(live_server.url + _write(site))
    source = page.locator("#editor-source")
    assert page.get_by_label("Upload an image").count() == 1
    image = {"name": "plot.png", "mimeType": "image/png", "buffer": png()}

    # The writer is asked for a description; it goes into the Markdown, escaped.
    page.once("dialog", lambda dialog: dialog.accept("Training loss [log scale]\nby epoch, in $"))
    page.set_input_files("#image-upload", files=[image])
    page.locator("#upload-status", has_text="Uploaded.").wait_for()
    assert re.search(
        r"!\[Training loss \(log scale\) by epoch, in \\\$\]\(/media/[^)]+\)", source.input_value()
    ), source.input_value()
    page.locator("#editor-preview img[alt='Training loss (log scale) by epoch, in $']").wait_for(
        state="attached"
    )

    # No description: a visible placeholder, selected, and the status says to replace it.
    source.fill("")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.set_input_files("#image-upload", files=[image])
    page.locator("#upload-status", has_text="Replace “DESCRIBE THIS IMAGE”").wait_for()
    assert re.fullmatch(r"\n!\[DESCRIBE THIS IMAGE\]\(/media/[^)]+\)\n", source.input_value())
    selected = source.evaluate("t => t.value.slice(t.selectionStart, t.selectionEnd)")
    assert selected == "DESCRIBE THIS IMAGE"
    page.keyboard.type("A bar chart")
    assert source.input_value().startswith("\n![A bar chart](/media/")


FOCUS_RING = """() => {
    const e = document.activeElement, style = getComputedStyle(e);
    return [e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim().slice(0, 30),
            style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2];
}"""


@pytest.mark.parametrize(("name", "path", "who"), DARK, ids=[p[0] for p in DARK])
def test_every_interactive_element_shows_the_keyboard_focus(
    live_server, page_factory, site, name, path, who
):
    person = {"reader": site.reader, "writer": site.writer, "mod": site.moderator}.get(who or "")
    page = signed_in_page(page_factory, live_server.url, person, "desktop")
    page.goto(live_server.url + path(site))
    seen: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        element, ringed = page.evaluate(FOCUS_RING)
        if element.startswith("BODY") or (seen and element == seen[0]):
            break
        seen.append(element)
        assert ringed, (name, element, "has no visible focus outline")
    assert len(seen) > 10, seen
