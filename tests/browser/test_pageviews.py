"""The view beacon in a real browser: an anonymous reader's visit to a summary page sends one
empty POST from the static script (no CSP violation, no cookie), counted once however often the
reader reloads, and the count shows after the flush."""

from __future__ import annotations

import pytest

from shortscience.services import pageviews
from tests.browser.conftest import screenshot
from tests.browser.test_content_security_policy import WATCH
from tests.factories import make_summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Headless chromium says "HeadlessChrome", which the counter rightly takes for a bot.
DESKTOP = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def test_a_visit_sends_one_beacon_counted_once_a_day(live_server, page_factory):
    summary = make_summary(markdown="A summary worth reading")
    url = f"{live_server.url}{summary.get_absolute_url()}"
    page = page_factory(user_agent=DESKTOP)
    page.add_init_script(WATCH)
    for _ in range(2):
        with page.expect_response(lambda r: "/views/summary/" in r.url) as beacon:
            page.goto(url)
        assert beacon.value.status == 204
        assert beacon.value.request.method == "POST"
    assert page.evaluate("window.__cspViolations") == []
    assert page.context.cookies() == []
    assert pageviews.pending() == 1
    pageviews.flush()
    page.goto(url)
    page.get_by_text("1 view", exact=True).wait_for()
    screenshot(page, "pageviews-summary")


def test_headless_browsers_are_not_counted(live_server, page_factory):
    summary = make_summary()
    page = page_factory()  # chromium's own headless user agent
    with page.expect_response(lambda r: "/views/summary/" in r.url):
        page.goto(f"{live_server.url}{summary.get_absolute_url()}")
    assert pageviews.pending() == 0
