"""Verified authors in a real browser: an author whose ORCID iD the paper's metadata lists sees
the author badge on their summary and reply, marks a reader's comment as an erratum fixed in v2
without any script, and the paper page shows it beside the comment and in its Errata list."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount

from shortscience.models import AuthorOrcid, Paper
from shortscience.services import accounts, comments
from tests.browser.conftest import screenshot
from tests.browser.test_writing_flow import sign_in
from tests.factories import make_paper, make_summary, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORCID = "0000-0002-1825-0097"


def test_an_author_marks_an_erratum_and_readers_see_the_badge_and_the_errata(
    live_server, page_factory
):
    base = live_server.url
    paper = make_paper("Attention Is All You Need")
    Paper.objects.filter(pk=paper.pk).update(authors=["Ashish Vaswani", "Noam Shazeer"])
    AuthorOrcid.objects.create(paper=paper, orcid=ORCID, name="Ashish Vaswani")
    author = make_user("vaswani", display_name="Ashish Vaswani", email_notifications="off")
    SocialAccount.objects.create(user=author, provider="orcid", uid=ORCID)
    accounts.orcid_proved(author, ORCID)  # the metadata lists the iD: verified at once
    make_summary(author=author, paper=paper, markdown="We replace recurrence with attention.")
    theirs = make_summary(paper=paper, markdown="A reader's take: $O(n^2)$ attention.")
    question = comments.add(make_user("asker"), theirs.pk, "Table 3 lists the wrong BLEU score.")
    comments.add(author, theirs.pk, "Right, thank you.", question.pk)

    page = page_factory()
    sign_in(page, base, author.username)
    page.goto(f"{base}{paper.get_absolute_url()}")
    assert "You are a verified author of this paper" in page.locator("#authors").inner_text()
    box = page.locator(f"#comment-{question.pk} > .erratum-box")
    box.locator("summary").click()
    box.locator("select[name=status]").select_option("fixed")
    box.locator("input[name=note]").fill("fixed in v2")
    screenshot(page, "verified-authors-marking")
    box.get_by_role("button", name="Save").click()
    page.wait_for_load_state()

    reader = page_factory()
    reader.goto(f"{base}{paper.get_absolute_url()}")
    assert reader.locator(".summary-card .meta .badge.author").count() == 2  # summary, reply
    assert "Erratum fixed: fixed in v2" in reader.locator(f"#comment-{question.pk}").inner_text()
    errata = reader.locator("#errata")
    assert "Table 3 lists the wrong BLEU score." in errata.inner_text()
    assert "Erratum fixed: fixed in v2" in errata.inner_text()
    reader.get_by_role("link", name="comments by the authors").click()
    reader.wait_for_load_state()
    assert "Showing only the discussion" in reader.content()
    assert "We replace recurrence" not in reader.content()
    reader.goto(f"{base}{paper.get_absolute_url()}")
    screenshot(reader, "verified-authors")
