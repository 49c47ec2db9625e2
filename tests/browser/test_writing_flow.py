"""What a person does, in a real browser: sign up, verify, write with live preview, publish,
see the math, vote from a second account, comment; then look at the paper page."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from shortscience.models import Summary
from tests.browser.conftest import screenshot
from tests.factories import make_paper, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORMULA_SOURCE = (
    "# Idea\n\nThe loss is $\\mathcal{L}(\\theta) = \\sum_{i=1}^n \\ell(f_\\theta(x_i), y_i)$.\n\n"
    "$$\\nabla_\\theta \\mathcal{L} = \\frac{1}{n}\\sum_i \\nabla_\\theta \\ell_i$$\n\n"
    "| step | cost |\n|---|---|\n| forward | $O(n)$ |\n"
)


def sign_up_and_verify(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", f"{username}@example.org")
    page.fill("input[name=username]", username)
    page.fill("input[name=password1]", "a-long-browser-passphrase")
    page.fill("input[name=password2]", "a-long-browser-passphrase")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    message = next(m for m in mail.outbox if f"{username}@example.org" in m.to)
    found = re.search(r"https?://\S+", str(message.body))
    assert found is not None, message.body
    link = found.group(0)
    page.goto(base + "/" + link.split("/", 3)[3])
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", "a-long-test-password")
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_sign_up_write_publish_vote_and_comment(live_server, page_factory):
    base = live_server.url
    paper = make_paper("Attention Is All You Need")

    writer = page_factory()
    sign_up_and_verify(writer, base, "browserwriter")
    assert writer.locator("header").get_by_text("browserwriter").count() == 1

    writer.goto(f"{base}/papers/{paper.pk}/")
    writer.click("text=Write a summary")
    writer.fill("#editor-source", FORMULA_SOURCE)
    preview = writer.locator("#editor-preview")
    preview.locator("math").first.wait_for()
    writer.wait_for_function("document.getElementById('editor-preview').dataset.state === 'fresh'")
    assert preview.locator("h3", has_text="Idea").count() == 1
    assert preview.locator("table math").count() == 1
    preview_html = preview.inner_html()
    screenshot(writer, "editor-live-preview")

    writer.click("button[value=publish]")
    writer.wait_for_url(re.compile(r"/summaries/\d+/$"))
    summary = Summary.objects.get(author__username="browserwriter")
    assert summary.is_public
    published_body = writer.locator(f"#summary-{summary.pk} .summary-body")
    assert published_body.inner_html() == preview_html, "the preview must be the published HTML"

    reader_user = make_user("browserreader")
    reader = page_factory()
    sign_in(reader, base, reader_user.username)
    reader.goto(f"{base}/papers/{paper.pk}/")
    assert reader.locator(".summary-body math[display=block]").count() == 1
    widget = reader.locator(f"#vote-{summary.pk}")
    reader.evaluate("window.__sameDocument = true")
    widget.locator("button.up").click()
    reader.locator(f"#vote-{summary.pk} .score", has_text="1").wait_for()
    assert reader.evaluate("window.__sameDocument === true"), "voting must not reload the page"
    reader.locator(f"#vote-{summary.pk} button.up.on").wait_for()
    summary.refresh_from_db()
    assert summary.score == 1

    reader.fill(f"#summary-{summary.pk} .comment-form textarea", "Why divide by $n$ here?")
    reader.click(f"#summary-{summary.pk} .comment-form button")
    reader.wait_for_load_state()
    reader.goto(f"{base}/papers/{paper.pk}/")
    assert reader.locator(".comment-body math").count() == 1
    screenshot(reader, "paper-page")


def test_math_shows_without_javascript(live_server, page_factory):
    from tests.factories import make_summary

    summary = make_summary(markdown="Euler: $e^{i\\pi} + 1 = 0$")
    page = page_factory(java_script_enabled=False)
    page.goto(f"{live_server.url}/summaries/{summary.pk}/")
    assert page.locator("math").count() == 1
    # The browser typesets the MathML itself: the exponent sits above the base's top.
    base = page.locator("msup > mi").first.bounding_box()
    exponent = page.locator("msup > mrow").first.bounding_box()
    assert base and exponent and exponent["y"] < base["y"] and exponent["width"] > 0
    screenshot(page, "summary-no-javascript")


def test_account_pages_look_like_the_site(live_server, page_factory):
    page = page_factory()
    page.goto(f"{live_server.url}/accounts/signup/")
    assert page.locator("header.site-header").count() == 1
    assert page.locator("input[name=email]").count() == 1
    screenshot(page, "sign-up")


def test_the_home_page_shows_excerpts_with_their_math(live_server, page_factory):
    from tests.factories import make_summary

    long_text = "\n\n".join(
        [FORMULA_SOURCE]
        + [f"Paragraph {n} explains step {n} with $x_{n}^2$ in plain words." * 4 for n in range(12)]
        + ["THE LAST LINE ONLY THE WHOLE SUMMARY HAS"]
    )
    make_summary(paper=make_paper("A long summary"), markdown=long_text)
    make_summary(paper=make_paper("A short one"), markdown="Short: $e^{i\\pi} + 1 = 0$")
    page = page_factory(java_script_enabled=False)
    page.goto(f"{live_server.url}/")
    assert page.locator(".summary-body.excerpt").count() == 2
    assert page.locator(".summary-body.excerpt math").count() >= 2
    assert "THE LAST LINE" not in page.content()
    assert page.locator("a.more").count() == 2
    screenshot(page, "home-excerpts")
