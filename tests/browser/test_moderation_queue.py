"""A moderator works the queue in a real browser: reaches it from the header's "Moderation (N)",
reads the flagged text and the flagger's note, moves between items with j/k, hides a comment,
reads it in place on its summary's page (marked hidden) and in the hidden content list,
restores it, and lifts a suspension; each page passes axe-core and the Content-Security-Policy.
A reader never sees the hidden text meanwhile."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group

from shortscience.services import comments, moderation
from tests.browser.conftest import screenshot
from tests.browser.test_account_pages import Checker, axe_source  # noqa: F401 -- a fixture
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _serious_violations(page: Any, source: str, selectors: list[str]) -> list[str]:
    page.evaluate(source)
    results = page.evaluate(
        "include => axe.run({include: include}, {resultTypes: ['violations']})",
        [[selector] for selector in selectors],
    )
    return [
        f"{violation['id']}: {violation['nodes'][0]['html'][:160]}"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_a_moderator_works_the_queue(live_server, page_factory, axe_source):  # noqa: F811 -- the fixture
    base = live_server.url
    moderator = make_user("moira", display_name="Moira Moderator")
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
    paper = make_paper("Attention Is All You Need")
    summary = make_summary(
        author=make_user("quietwriter"),
        paper=paper,
        anonymous=True,
        markdown="Self-attention replaces recurrence; cost is $O(n^2)$ in the length.",
    )
    rude = comments.add(make_user("heckler"), summary.pk, "Only an *idiot* would write this.")
    comments.add(make_user("calm"), summary.pk, "Could you say what is wrong?", rude.pk)
    moderation.flag(make_user("alice"), "comment", rude.pk, "abusive", "Insults the writer")
    moderation.flag(make_user("bob"), "summary", summary.pk, "other", "Copied from a blog post?")
    troll = make_user("troll")
    moderation.act(moderator, "suspend", "user", troll.pk, "spam wave", days=3)

    page = page_factory()
    checker = Checker(page, base, axe_source)
    sign_in(page, base, moderator.username)
    header_link = page.locator("header.site-header a.moderation-link")
    assert header_link.inner_text() == "Moderation (2)"
    header_link.click()
    checker.check("queue")
    queue = page.locator("main")
    assert "Only an idiot would write this." in queue.inner_text()
    assert "Insults the writer" in queue.inner_text()
    assert "Copied from a blog post?" in queue.inner_text()
    assert "anonymous to readers" in queue.inner_text().lower()
    assert "@quietwriter" in queue.inner_text()

    # j/k move between items; r writes the current item's reason.
    page.keyboard.press("j")
    first = page.locator(".queue-item").nth(0)
    assert first.evaluate("node => node === document.activeElement")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert first.evaluate("node => node === document.activeElement")
    page.keyboard.press("r")
    assert first.locator("input[name=reason]").evaluate("n => n === document.activeElement")
    screenshot(page, "moderation-queue")

    comment_item = page.locator(".queue-item", has_text="Only an idiot")
    comment_item.locator("input[name=reason]").fill("Abusive, see the guidelines")
    with page.expect_navigation():
        comment_item.get_by_role("button", name="Hide").click()
    assert "Hid a comment on a summary of" in page.locator(".messages").inner_text()
    assert header_link.inner_text() == "Moderation (1)"

    # The summary's page shows the hidden comment to the moderator, marked, with Restore.
    page.goto(base + summary.get_absolute_url())
    # The moderator's part of the page (the summary page has no h1 for Checker's rule).
    mine = [f"#comment-{rude.pk} > {part}" for part in (".meta", ".hidden-content", "form")]
    assert _serious_violations(page, axe_source, mine) == []
    hidden = page.locator(f"#comment-{rude.pk}")
    assert "hidden by a moderator" in hidden.inner_text().lower()
    assert "Only an idiot would write this." in hidden.inner_text()
    hidden.scroll_into_view_if_needed()
    screenshot(page, "moderation-hidden-in-place")
    reader = page_factory()
    reader.goto(base + summary.get_absolute_url())
    assert "idiot" not in reader.content() and "[comment deleted]" in reader.content()
    assert "quietwriter" not in reader.content()

    checker.visit("/moderation/hidden/?kind=comment")
    item = page.locator(".queue-item", has_text="Only an idiot")
    item.locator("details.history summary").click()
    assert "Hid by moira: Abusive, see the guidelines" in item.inner_text()
    screenshot(page, "moderation-hidden")
    item.locator("input[name=reason]").fill("On appeal: sarcasm, not abuse")
    with page.expect_navigation():
        item.get_by_role("button", name="Restore").click()
    assert "Nothing is hidden." in page.locator("main").inner_text()
    reader.goto(base + summary.get_absolute_url())
    assert "Only an idiot would write this." in reader.locator("main").inner_text()

    checker.visit("/moderation/people/")
    person = page.locator(".queue-item", has_text="@troll")
    assert "suspended until" in person.inner_text().lower()
    screenshot(page, "moderation-people")
    person.locator("input[name=reason]").fill("Served enough")
    with page.expect_navigation():
        person.get_by_role("button", name="Unsuspend").click()
    checker.check("people after unsuspending")
    assert "Nobody is suspended or banned." in page.locator("main").inner_text()
    troll.refresh_from_db()
    assert troll.suspended_until is None
    checker.visit("/moderation/log/")
    assert "Reinstated @troll" in page.locator("main").inner_text()


def test_a_moderator_opens_a_hidden_summary_where_it_was_and_restores_it(
    live_server,
    page_factory,
    axe_source,  # noqa: F811 -- the fixture
):
    base = live_server.url
    moderator = make_user("moira")
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
    summary = make_summary(
        author=make_user("copycat"),
        paper=make_paper("Deep Residual Learning for Image Recognition"),
        markdown="Residual blocks learn $F(x) = H(x) - x$; copied from a blog post.",
    )
    moderation.flag(make_user("alice"), "summary", summary.pk, "plagiarism", "Word for word")
    moderation.act(moderator, "hide", "summary", summary.pk, "Plagiarised, see the flag")

    page = page_factory()
    checker = Checker(page, base, axe_source)
    sign_in(page, base, moderator.username)
    checker.visit("/moderation/hidden/")
    page.locator(".queue-item h2 a", has_text="Deep Residual Learning").click()
    page.wait_for_url(f"**{summary.get_absolute_url()}")
    checker.check("hidden summary, as a moderator sees it")
    notice = page.locator(".hidden-notice")
    assert "Readers cannot see this summary" in notice.inner_text()
    assert "copied from a blog post" in page.locator("main").inner_text()
    screenshot(page, "moderation-hidden-summary")

    reader = page_factory()
    response = reader.goto(base + summary.get_absolute_url())
    assert response is not None and response.status == 404
    assert "blog post" not in reader.content()

    notice.locator("input[name=reason]").fill("The blog post is the writer's own")
    with page.expect_navigation():
        notice.get_by_role("button", name="Restore").click()
    assert page.locator(".hidden-notice").count() == 0
    response = reader.goto(base + summary.get_absolute_url())
    assert response is not None and response.status == 200
    assert "copied from a blog post" in reader.locator("main").inner_text()
