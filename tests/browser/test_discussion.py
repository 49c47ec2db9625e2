"""Discussion in a real browser: the author of an anonymous summary replies under it and another
reader sees "the author (anonymous)"; the live preview renders a formula while typing; a mention
notifies the person mentioned; the Block button and the settings list of blocked people."""

from __future__ import annotations

import pytest

from shortscience.models import Block, Comment, Notification
from shortscience.services import comments
from tests.browser.conftest import no_sideways_scroll, screenshot
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_anonymous_author_replies_and_readers_see_the_author_anonymous(
    live_server, page_factory
):
    base = live_server.url
    paper = make_paper("Attention Is All You Need")
    writer = make_user("hiddenwriter", display_name="Hidden Writer", email_notifications="off")
    asker = make_user("askerreader", display_name="Asker Reader", email_notifications="off")
    summary = make_summary(writer, paper, "Attention replaces recurrence.", anonymous=True)
    question = comments.add(asker, summary.pk, "Why divide by $\\sqrt{d_k}$?")

    author = page_factory()
    sign_in(author, base, writer.username)
    author.goto(f"{base}/summaries/{summary.pk}/")
    author.locator(f"#comment-{question.pk} details.reply-box summary").click()
    form = author.locator(f"#comment-{question.pk} form.comment-form")
    assert "the author (anonymous)" in form.inner_text()
    form.locator("textarea").press_sequentially("To keep $\\frac{QK^T}{\\sqrt{d_k}}$ small.")
    preview = form.locator(".comment-preview")
    preview.locator("math").first.wait_for()  # the live preview typeset the formula
    assert preview.is_visible()
    screenshot(author, "discussion-anonymous-reply-preview")
    form.get_by_role("button", name="Reply").click()
    author.wait_for_load_state()
    reply = Comment.objects.get(parent=question)
    assert reply.as_summary_author

    reader = page_factory()
    sign_in(reader, base, asker.username)
    reader.goto(f"{base}/summaries/{summary.pk}/")
    shown = reader.locator(f"#comment-{reply.pk}")
    assert "the author (anonymous)" in shown.inner_text()
    assert "Hidden Writer" not in reader.content() and "hiddenwriter" not in reader.content()
    assert shown.locator("math").count() >= 1
    screenshot(reader, "discussion-anonymous-reply-seen")
    reader.goto(f"{base}/notifications/")
    item = reader.locator(".notification").first
    assert "The author (anonymous) replied to your comment" in item.inner_text()
    screenshot(reader, "discussion-anonymous-reply-notification")


def test_a_mention_notifies_the_reader_mentioned(live_server, page_factory):
    base = live_server.url
    summary = make_summary(make_user(email_notifications="off"), make_paper("Adam"))
    poster = make_user("posterperson", display_name="Poster Person", email_notifications="off")
    ada = make_user("adamention", display_name="Ada Mention", email_notifications="off")

    page = page_factory()
    sign_in(page, base, poster.username)
    page.goto(f"{base}/summaries/{summary.pk}/")
    form = page.locator("section.comments > form.comment-form")
    form.locator("textarea").fill("@adamention does $\\beta_2$ matter?")
    form.locator("textarea").press("End")
    form.locator("textarea").press_sequentially(" ")
    form.locator(".comment-preview a.mention").wait_for()
    form.get_by_role("button", name="Comment").click()
    page.wait_for_load_state()
    assert page.locator(".comment a.mention").first.get_attribute("href") == "/users/adamention/"
    screenshot(page, "discussion-mention-posted")

    mentioned = page_factory()
    sign_in(mentioned, base, ada.username)
    mentioned.goto(f"{base}/notifications/")
    item = mentioned.locator(".notification.unread").first
    assert "Poster Person mentioned you in a comment" in item.inner_text()
    assert Notification.objects.filter(recipient=ada, kind="comment_mention").count() == 1
    screenshot(mentioned, "discussion-mention-notification")


def test_the_preview_button_works_without_javascript(live_server, page_factory):
    base = live_server.url
    summary = make_summary(make_user(), make_paper("No script"))
    writer = make_user("noscript", email_notifications="off")
    page = page_factory(java_script_enabled=False)
    sign_in(page, base, writer.username)
    page.goto(f"{base}/summaries/{summary.pk}/")
    form = page.locator("section.comments > form.comment-form")
    form.locator("textarea").fill("Energy $E = mc^2$ **kept**")
    form.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert page.locator(".comment-preview-page math").count() == 1
    assert page.locator("textarea[name=markdown]").input_value() == "Energy $E = mc^2$ **kept**"
    screenshot(page, "discussion-preview-no-js")
    page.get_by_role("button", name="Post").click()
    page.wait_for_load_state()
    assert Comment.objects.filter(markdown__contains="kept").count() == 1


def test_blocking_from_a_persons_page_and_the_settings_list(live_server, page_factory):
    base = live_server.url
    me = make_user("blocker", email_notifications="off")
    pest = make_user("pestperson", display_name="Pest Person")
    page = page_factory()
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, base, me.username)
    page.goto(f"{base}/users/pestperson/")
    page.get_by_role("button", name="Block").click()
    page.wait_for_load_state()
    assert Block.objects.filter(blocker=me, blocked=pest).exists()
    assert "You blocked Pest Person" in page.content()
    no_sideways_scroll(page)
    screenshot(page, "discussion-blocked-people-390")
    page.goto(f"{base}/users/pestperson/")
    screenshot(page, "discussion-user-block-button-390")


def test_the_discussion_fits_a_narrow_screen(live_server, page_factory):
    base = live_server.url
    writer = make_user("narrowwriter", email_notifications="off")
    summary = make_summary(writer, make_paper("Narrow"), "Text.", anonymous=True)
    top = comments.add(make_user(), summary.pk, "A question with $\\sum_{i=1}^{n} x_i^2$?")
    comments.add(writer, summary.pk, "An answer, https://example.org/" + "a" * 80, top.pk)
    page = page_factory()
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, base, writer.username)
    page.goto(f"{base}/summaries/{summary.pk}/")
    page.locator("section.comments > form.comment-form textarea").press_sequentially("Hi $x$")
    page.locator("section.comments > form.comment-form .comment-preview math").wait_for()
    no_sideways_scroll(page)
    screenshot(page, "discussion-narrow-390")
