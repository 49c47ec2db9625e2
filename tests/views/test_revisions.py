"""The revision pages: history, the word diff between two chosen revisions, restore."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shortscience.models import Summary
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def _three_revisions(client, paper, **options):
    for text in ("First **idea** here.", "Second idea here.", "Third idea, rewritten."):
        data = {"markdown": text, "action": "publish", **options}
        client.post(f"/papers/{paper.pk}/write/", data)
    return Summary.objects.get(paper=paper)


def test_the_history_lists_revisions_with_a_chooser_and_restore_buttons(client_for):
    author, paper = make_user(), make_paper()
    client = client_for(author)
    summary = _three_revisions(client, paper)
    html = client.get(f"/summaries/{summary.pk}/revisions/").content.decode()
    assert html.count("<tr>") == 4  # the heading and three revisions
    assert '<option value="2" selected>' in html and '<option value="3" selected>' in html
    assert f'action="/summaries/{summary.pk}/revisions/1/restore/"' in html
    assert f'action="/summaries/{summary.pk}/revisions/3/restore/"' not in html  # the current one


def test_the_diff_marks_words_with_ins_and_del_and_escapes_the_source(client_for):
    author, paper = make_user(), make_paper()
    client = client_for(author)
    client.post(f"/papers/{paper.pk}/write/", {"markdown": "Plain text.", "action": "publish"})
    client.post(
        f"/papers/{paper.pk}/write/",
        {"markdown": "Plain <script>alert(1)</script> text.", "action": "publish"},
    )
    summary = Summary.objects.get(paper=paper)
    html = client.get(f"/summaries/{summary.pk}/diff/").content.decode()
    assert "Changes from revision 1 to 2" in html
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt; </ins>" in html
    assert "<script>alert(1)" not in html


def test_the_owner_picks_any_two_revisions(client_for):
    author, paper = make_user(), make_paper()
    client = client_for(author)
    summary = _three_revisions(client, paper)
    html = client.get(f"/summaries/{summary.pk}/diff/?old=1&new=3").content.decode()
    expected = "<del>First **</del><ins>Third </ins>idea<del>** here</del><ins>, rewritten</ins>."
    assert expected in html
    assert f'action="/summaries/{summary.pk}/revisions/1/restore/"' in html
    html = client.get(f"/summaries/{summary.pk}/diff/?old=2&new=2").content.decode()
    assert "nothing to compare" in html
    assert client.get(f"/summaries/{summary.pk}/diff/?old=x&new=2").status_code == 400
    assert client.get(f"/summaries/{summary.pk}/diff/?old=1&new=7").status_code == 404


def test_restore_publishes_the_old_text_and_says_which_revision_it_became(client_for):
    author, paper = make_user(), make_paper()
    client = client_for(author)
    summary = _three_revisions(client, paper)
    response = client.post(f"/summaries/{summary.pk}/revisions/1/restore/", follow=True)
    html = response.content.decode()
    assert "Restored revision 1 as revision 4." in html
    assert "First <strong>idea</strong> here." in html
    summary.refresh_from_db()
    assert summary.is_public and summary.markdown == "First **idea** here."


def test_restore_is_a_post_and_only_the_author_may_use_it(client_for, client):
    summary = make_summary(markdown="one")
    owner = client_for(summary.author)
    owner.post(f"/papers/{summary.paper_id}/write/", {"markdown": "two", "action": "publish"})
    url = f"/summaries/{summary.pk}/revisions/1/restore/"
    assert owner.get(url).status_code == 405
    assert client.post(url).status_code == 302  # to sign in
    for other in (make_user(), make_user(is_staff=True)):
        assert client_for(other).post(url).status_code == 403
        assert client_for(other).get(f"/summaries/{summary.pk}/revisions/").status_code == 403
        assert client_for(other).get(f"/summaries/{summary.pk}/diff/").status_code == 403
    summary.refresh_from_db()
    assert summary.markdown == "two"


def test_restore_needs_the_csrf_token(client_for):
    from django.test import Client

    summary = make_summary(markdown="one")
    client_for(summary.author).post(
        f"/papers/{summary.paper_id}/write/", {"markdown": "two", "action": "publish"}
    )
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(summary.author)
    response = strict.post(f"/summaries/{summary.pk}/revisions/1/restore/")
    assert response.status_code == 403
    summary.refresh_from_db()
    assert summary.markdown == "two"


def test_an_anonymous_summarys_history_is_the_authors_alone(client_for):
    author, paper = make_user("hidden_writer"), make_paper()
    client = client_for(author)
    summary = _three_revisions(client, paper, anonymous="on")
    assert summary.is_anonymous
    other = client_for(make_user())
    for url in (f"/summaries/{summary.pk}/revisions/", f"/summaries/{summary.pk}/diff/"):
        response = other.get(url)
        assert response.status_code == 403
        assert "hidden_writer" not in response.content.decode()
    restored = client.post(f"/summaries/{summary.pk}/revisions/2/restore/")
    assert restored.status_code == 302
    summary.refresh_from_db()
    assert summary.is_anonymous and summary.markdown == "Second idea here."


def test_restoring_counts_against_the_publishing_limit(client_for, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "publishing": "4/3600"}
    author, paper = make_user(), make_paper()
    client = client_for(author)
    summary = _three_revisions(client, paper)  # three of the four
    assert client.post(f"/summaries/{summary.pk}/revisions/1/restore/").status_code == 302
    refused = client.post(f"/summaries/{summary.pk}/revisions/2/restore/")
    assert refused.status_code == 429 and "Retry-After" in refused
    summary.refresh_from_db()
    assert summary.markdown == "First **idea** here."


@pytest.mark.parametrize("url", ["/summaries/{pk}/revisions/", "/summaries/{pk}/diff/"])
def test_history_and_diff_cost_the_same_queries_with_3_or_30_revisions(client_for, url):
    counts = []
    for size in (3, 30):
        author, paper = make_user(), make_paper()
        for n in range(size):
            make_summary(author=author, paper=paper, markdown=f"Revision number {n} of it.")
        summary = Summary.objects.get(paper=paper)
        client = client_for(author)
        client.get(url.format(pk=summary.pk))  # sessions and caches warmed
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url.format(pk=summary.pk)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_diff_with_too_many_changes_says_it_shows_them_whole(client_for):
    author, paper = make_user(), make_paper()
    old = " ".join(f"x{n % 50} y{n}" for n in range(6000))[:60_000]
    new = " ".join(f"y{n} x{n % 50}" for n in range(6000))[:60_000]
    make_summary(author=author, paper=paper, markdown=old)
    make_summary(author=author, paper=paper, markdown=new)
    summary = Summary.objects.get(paper=paper)
    html = client_for(author).get(f"/summaries/{summary.pk}/diff/").content.decode()
    assert "Too many changes to compare word by word" in html
    assert "<del>x0 y0 x1 y1 " in html and "<ins>y0 x0 y1 x1 " in html


def test_a_small_edit_is_still_marked_word_by_word(client_for):
    author, paper = make_user(), make_paper()
    make_summary(author=author, paper=paper, markdown="The cat sat on the mat.")
    make_summary(author=author, paper=paper, markdown="The dog sat on the mat.")
    summary = Summary.objects.get(paper=paper)
    html = client_for(author).get(f"/summaries/{summary.pk}/diff/").content.decode()
    assert "The <del>cat</del><ins>dog</ins> sat on the mat." in html
    assert "Too many changes" not in html


def test_diffs_are_rate_limited_though_they_are_gets(client_for, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "diffing": "2/3600"}
    author, paper = make_user(), make_paper()
    client = client_for(author)
    summary = _three_revisions(client, paper)
    assert client.get(f"/summaries/{summary.pk}/diff/").status_code == 200
    assert client.get(f"/summaries/{summary.pk}/diff/?old=1&new=3").status_code == 200
    refused = client.get(f"/summaries/{summary.pk}/diff/?old=1&new=2")
    assert refused.status_code == 429 and "Retry-After" in refused
    assert "Too many diffing requests" in refused.content.decode()
    assert "<ins>" not in refused.content.decode()
