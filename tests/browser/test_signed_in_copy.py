"""Signed-in readers served from the shared copy (services/neutralpages.py) in a real browser: two
readers see the same paper page each under their own name, one votes with htmx using the token
the copy was given, and after the reload sees their own vote while the other still does not."""

from __future__ import annotations

import pytest

from shortscience.models import Vote
from tests.browser.conftest import screenshot
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_readers_share_a_page_and_each_sees_only_their_own_vote(live_server, page_factory):
    base = live_server.url
    summary = make_summary(
        make_user("writer", display_name="Wanda Writer"),
        make_paper("Attention Is All You Need"),
        "Self-attention relates every position to every other: $O(n^2 d)$ per layer.",
    )
    url = f"{base}/papers/{summary.paper.pk}/"
    readers = {}
    for name in ("ada", "bob"):
        make_user(name, display_name=f"Reader {name.title()}")
        readers[name] = page_factory()
        sign_in(readers[name], base, name)
        readers[name].goto(url)
        assert f"Reader {name.title()}" in readers[name].locator("header.site-header").inner_text()

    ada, bob = readers["ada"], readers["bob"]
    assert ada.locator("header.site-header").inner_text().count("Reader Bob") == 0
    ada.locator(f"#vote-{summary.pk} button.up").click()
    ada.locator(f"#vote-{summary.pk} button.up.on").wait_for()
    assert Vote.objects.filter(user__username="ada", summary=summary, value=1).exists()

    ada.goto(url)
    assert ada.locator(f"#vote-{summary.pk} button.up.on").count() == 1
    bob.goto(url)
    assert bob.locator(f"#vote-{summary.pk} button.up.on").count() == 0
    assert bob.locator(f"#vote-{summary.pk} .score").inner_text() == "1"
    screenshot(bob, "paper-signed-in-shared-copy")
