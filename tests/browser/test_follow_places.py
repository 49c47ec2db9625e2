"""Following a venue and an arXiv category in a real browser: the buttons swap in place (htmx),
the state survives a reload, and /following/ lists both."""

from __future__ import annotations

import pytest

from shortscience.models import Follow, Venue
from tests.browser.conftest import screenshot
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_paper, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_follows_a_category_and_a_venue_and_sees_the_buttons_change(
    live_server, page_factory
):
    base = live_server.url
    venue = Venue.objects.create(key="NeurIPS", name="Neural Information Processing Systems")
    paper = make_paper("Attention Is All You Need", venue=venue, categories=["cs.CL", "cs.LG"])
    ada = make_user("adaplaces", email_notifications="off")
    reader = page_factory()
    sign_in(reader, base, ada.username)

    reader.goto(f"{base}/papers/{paper.pk}/")
    screenshot(reader, "paper-category-tags")
    reader.locator(".paper-categories a", has_text="cs.LG").click()
    reader.wait_for_load_state()
    assert reader.url.endswith("/new/cs.LG/")
    assert paper.title in reader.locator("ul.new-papers").inner_text()
    button = reader.locator('[id="follow-category-cs.LG"] button')
    assert button.inner_text().startswith("Follow cs.LG")
    button.click()
    reader.locator('[id="follow-category-cs.LG"] button.following').wait_for()
    assert Follow.objects.filter(follower=ada, category="cs.LG").exists()
    screenshot(reader, "follow-category")

    reader.goto(f"{base}/venues/NeurIPS/")
    button = reader.locator(f"#follow-venue-{venue.pk} button")
    assert button.inner_text().startswith("Follow this venue")
    button.click()
    reader.locator(f"#follow-venue-{venue.pk} button.following").wait_for()
    reader.reload()
    assert (
        reader.locator(f"#follow-venue-{venue.pk} button")
        .inner_text()
        .startswith("Following this venue")
    )
    screenshot(reader, "follow-venue")

    reader.goto(f"{base}/following/")
    listed = reader.locator(".follow-list").inner_text()
    assert "Venue: Neural Information Processing Systems" in listed
    assert "arXiv category: cs.LG" in listed
    reader.locator(f"#follow-venue-{venue.pk} button").click()
    reader.locator(f"#follow-venue-{venue.pk} button:not(.following)").wait_for()
    assert not Follow.objects.filter(follower=ada, venue=venue).exists()
    screenshot(reader, "follow-places-list")
