"""Old ShortScience.org links in a real browser: an old venue key that names no venue gets a page
that helps (its search link works), a known one lands on the venue, and an old
`#<username>comments` link scrolls to that summary's comments."""

from __future__ import annotations

import pytest

from shortscience.models import Venue
from tests.browser.conftest import no_sideways_scroll, screenshot
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_unknown_old_venue_key_gets_a_page_with_a_search_link(live_server, page_factory):
    base = live_server.url
    make_paper("Obscure results at an obscure workshop")
    page = page_factory()
    response = page.goto(f"{base}/venue?key=conf/obscure/2014")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "No venue here by that key"
    assert page.locator("code").inner_text() == "conf/obscure/2014"
    screenshot(page, "legacy-venue-unknown")
    page.click("text=Search for “obscure”")
    page.wait_for_load_state()
    assert page.url == f"{base}/search/?q=obscure"
    assert "Obscure results at an obscure workshop" in page.content()

    narrow = page_factory()
    narrow.set_viewport_size({"width": 390, "height": 800})
    narrow.goto(f"{base}/venue?key=10.1145/a-long-doi-prefix-then-{'x' * 80}")
    screenshot(narrow, "legacy-venue-unknown-390")
    no_sideways_scroll(narrow)


def test_old_venue_and_comment_links_land_where_they_did(live_server, page_factory):
    base = live_server.url
    Venue.objects.create(key="NeurIPS", name="Neural Information Processing Systems")
    paper = make_paper("Attention Is All You Need")
    for n in range(6):
        make_summary(paper=paper, markdown="A long summary.\n\n" + "More text. " * 120 + str(n))
    make_summary(make_user("oldtimer"), paper, "The summary an old link points at.")
    page = page_factory()
    page.goto(f"{base}/venue?key=conf/nips/2017")
    assert page.url == f"{base}/venues/NeurIPS/?year=2017"
    arxiv_id = paper.identifiers.get(scheme="arxiv").value
    page.goto(f"{base}/paper?bibtexKey={arxiv_id}#oldtimercomments")
    comments = page.locator("#oldtimercomments")
    assert comments.count() == 1
    assert page.evaluate("window.scrollY") > 0
    assert comments.evaluate("e => e.getBoundingClientRect().top") < 900
