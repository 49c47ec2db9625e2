"""Every main page satisfies the Content-Security-Policy: no violation is reported in the browser
while it loads and while the editor previews, a vote is cast and math renders."""

from __future__ import annotations

import pytest

from tests.browser.test_writing_flow import sign_in
from tests.factories import make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def test_no_page_violates_the_content_security_policy(live_server, page_factory):
    from shortscience.models import Venue

    venue = Venue.objects.create(
        key="ICLR", name="International Conference on Learning Representations"
    )
    summary = make_summary(
        markdown="$\\sqrt{x}$ and $$\\overrightarrow{AB}$$", author=make_user("author")
    )
    summary.paper.venue = venue
    summary.paper.save()
    make_user("visitor")
    page = page_factory()
    page.add_init_script(WATCH)
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text))
    sign_in(page, live_server.url, "visitor")
    urls = [
        "/",
        "/?tab=best",
        f"/papers/{summary.paper_id}/",
        f"/summaries/{summary.pk}/",
        "/users/",
        "/users/author/",
        "/venues/",
        "/venues/ICLR/",
        "/about/",
        "/search/?q=paper",
        "/add/",
        f"/papers/{summary.paper_id}/write/",
        "/settings/profile/",
        "/accounts/email/",
    ]
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response is not None and response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if url.endswith("/write/"):
            page.fill("#editor-source", "Preview $e^{i\\pi}$")
            page.locator("#editor-preview math").first.wait_for()
        if url == f"/papers/{summary.paper_id}/":
            page.locator(f"#vote-{summary.pk} button.up").click()
            page.locator(f"#vote-{summary.pk} button.up.on").wait_for()
        violations = page.evaluate("window.__cspViolations")
        assert violations == [], (url, violations)
    assert not [line for line in console if "Content Security Policy" in line], console
    # The watcher works: an inline script is blocked and reported.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran") is None


def test_signed_out_pages_also_satisfy_the_policy(live_server, page_factory):
    page = page_factory()
    page.add_init_script(WATCH)
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/nope/"):
        page.goto(live_server.url + url)
        assert page.evaluate("window.__cspViolations") == [], url
