"""Following in a real browser: one account follows a paper (htmx swaps the button), another
publishes a summary of it, and the first sees the unread count in the header and the
notification in the list, then marks it read."""

from __future__ import annotations

import pytest

from shortscience.models import Follow
from tests.browser.conftest import screenshot
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_paper, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_follower_sees_the_new_summary_of_a_followed_paper(live_server, page_factory):
    base = live_server.url
    paper = make_paper("Deep Residual Learning for Image Recognition")
    ada = make_user("adafollower", email_notifications="off")
    bob = make_user("bobwriter", display_name="Bob Writer")

    follower = page_factory()
    sign_in(follower, base, ada.username)
    follower.goto(f"{base}/papers/{paper.pk}/")
    button = follower.locator(f"#follow-paper-{paper.pk} button")
    assert button.inner_text().startswith("Follow this paper")
    button.click()
    follower.locator(f"#follow-paper-{paper.pk} button.following").wait_for()
    assert Follow.objects.filter(follower=ada, paper=paper).exists()
    assert follower.locator(".unread-count").count() == 0

    writer = page_factory()
    sign_in(writer, base, bob.username)
    writer.goto(f"{base}/papers/{paper.pk}/write/")
    writer.fill("#editor-source", "Residual connections make very deep networks trainable.")
    writer.click("button[value=publish]")
    writer.wait_for_load_state()

    follower.goto(f"{base}/papers/{paper.pk}/")
    assert follower.locator("header .unread-count").inner_text() == "1"
    follower.click("header .notifications-link")
    follower.wait_for_load_state()
    item = follower.locator(".notification.unread").first
    assert "Bob Writer published a summary of" in item.inner_text()
    assert paper.title in item.inner_text()
    screenshot(follower, "follow-notification")

    item.get_by_role("button", name="Mark read").click()
    follower.wait_for_load_state()
    assert follower.locator(".notification.unread").count() == 0
    assert follower.locator("header .unread-count").count() == 0
