"""One paper per work in a real browser: a writer typing in a paper already here is offered it;
a reader reports a duplicate from the paper's page; a moderator merges the two from the queue,
and every identifier then leads to the one page. Each page passes axe-core and the CSP."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from shortscience.models import Paper, User
from tests.browser.conftest import no_sideways_scroll, screenshot
from tests.browser.test_account_pages import Checker, axe_source  # noqa: F401 -- a fixture
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_in_a_paper_already_here_offers_it_before_adding_a_second(
    live_server,
    page_factory,
    axe_source,  # noqa: F811 -- the fixture
):
    paper = make_paper("Attention Is All You Need")
    make_user("typist")
    page = page_factory()
    checker = Checker(page, live_server.url, axe_source)
    sign_in(page, live_server.url, "typist")
    page.goto(f"{live_server.url}/add/")
    page.click("text=Enter the paper by hand")
    page.fill("#m-title", "Attention is all you need.")
    page.fill("#m-authors", "Ashish Vaswani")
    page.click("#add-manual >> text=Add this paper")
    offer = page.locator(".already-here")
    offer.wait_for()
    assert "this paper is already here" in offer.inner_text().lower()
    assert offer.locator("a", has_text="Attention Is All You Need").count() == 1
    checker.check("add: already here")
    screenshot(page, "add-already-here")
    offer.locator("text=Open it and write").click()
    page.wait_for_url(re.compile(rf"/papers/{paper.pk}/write/$"))
    assert Paper.objects.count() == 1


def test_a_reported_duplicate_is_merged_by_a_moderator_in_one_action(
    live_server,
    page_factory,
    axe_source,  # noqa: F811 -- the fixture
):
    base = live_server.url
    preprint = make_paper("Deep Residual Learning (arXiv version)")
    published = make_paper("Deep Residual Learning for Image Recognition")
    make_summary(paper=published, markdown="Residual blocks learn $F(x) = H(x) - x$.")
    make_summary(paper=published, markdown="Identity shortcuts add no parameters.")
    # (A paper page without summaries has an axe finding of its own, outside this test.)
    make_summary(paper=preprint, markdown="Deeper nets train when each block learns a residual.")
    published_arxiv = published.identifiers.get(scheme="arxiv").value
    preprint_arxiv = preprint.identifiers.get(scheme="arxiv").value
    make_user("reader")
    moderator = make_user("moira")
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])

    reader = page_factory()
    checker = Checker(reader, base, axe_source)
    sign_in(reader, base, "reader")
    reader.goto(f"{base}{preprint.get_absolute_url()}")
    reader.click("text=Same work as another paper here?")
    reader.fill("#duplicate-of", f"arXiv:{published_arxiv}")
    checker.check("paper: report a duplicate")
    screenshot(reader, "paper-report-duplicate")
    reader.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(reader)
    screenshot(reader, "paper-report-duplicate-390")
    reader.click("text=Report to moderators")
    reader.locator(".messages", has_text="Moderators will look at it").wait_for()

    page = page_factory()
    checker = Checker(page, base, axe_source)
    sign_in(page, base, "moira")
    page.goto(f"{base}/moderation/")
    item = page.locator(".queue-item", has_text="Deep Residual Learning (arXiv version)")
    assert "Same work as another paper" in item.inner_text() and "@reader" in item.inner_text()
    item.locator("input[name=reason]").fill("The arXiv version of the CVPR paper")
    checker.check("moderation queue: a duplicate")
    screenshot(page, "moderation-queue-duplicate")
    item.locator("button", has_text="Merge with").click()
    page.wait_for_url(re.compile(r"/moderation/$"))
    # The one with more summaries stays; both discussions are on it now.
    assert list(Paper.objects.values_list("pk", flat=True)) == [published.pk]
    assert published.summaries.count() == 3
    page.goto(f"{base}/arxiv/{preprint_arxiv}")
    assert page.url.endswith(f"/papers/{published.pk}/")
    assert page.locator("h1.paper-title").inner_text() == published.title
    page.goto(f"{base}/papers/{preprint.pk}/")  # the merged-away paper's own address too
    assert page.url.endswith(f"/papers/{published.pk}/")
    page.goto(f"{base}/moderation/log/")
    assert "Merged" in page.locator("main").inner_text()
    assert "The arXiv version of the CVPR paper" in page.locator("main").inner_text()


def test_sources_merge_agreeing_titles_on_the_record_and_report_the_rest(
    live_server,
    page_factory,
    axe_source,  # noqa: F811 -- the fixture
):
    from shortscience.metadata.types import Identifier, PaperMetadata, Scheme
    from shortscience.services import works

    base = live_server.url
    published = make_paper("Deep Residual Learning for Image Recognition")
    preprint = make_paper("Deep residual learning for image recognition.")
    other = make_paper("Attention Is All You Need")
    for paper in (published, preprint, other):
        make_summary(paper=paper, markdown="Residual blocks learn $F(x) = H(x) - x$.")
    make_summary(paper=published, markdown="Identity shortcuts add no parameters.")
    arxiv = {p.pk: p.identifiers.get(scheme="arxiv").value for p in (published, preprint, other)}
    meta = PaperMetadata(
        title="Deep Residual Learning for Image Recognition",
        identifiers=[Identifier(Scheme.ARXIV, arxiv[published.pk])],
        same_work=[Identifier(Scheme.ARXIV, arxiv[p.pk]) for p in (preprint, other)],
        source="crossref",
    )
    make_user("adder")
    assert works.settle(meta, User.objects.get(username="adder")).paper == published
    assert set(Paper.objects.values_list("pk", flat=True)) == {published.pk, other.pk}
    moderator = make_user("moira")
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])

    page = page_factory()
    checker = Checker(page, base, axe_source)
    sign_in(page, base, "moira")
    page.goto(f"{base}/moderation/")
    item = page.locator(".queue-item", has_text="Automatic report")
    assert "titles differ" in item.inner_text() and "Attention Is All You Need" in item.inner_text()
    checker.check("moderation queue: an automatic report")
    screenshot(page, "moderation-queue-automatic-report")
    page.goto(f"{base}/moderation/log/")
    row = page.locator("tr", has_text="automatic (sources agree)")
    assert "Crossref names both papers" in row.inner_text()
    checker.check("moderation log: an automatic merge")
    screenshot(page, "moderation-log-automatic-merge")
    page.goto(f"{base}/papers/{preprint.pk}/")
    assert page.url.endswith(f"/papers/{published.pk}/")
