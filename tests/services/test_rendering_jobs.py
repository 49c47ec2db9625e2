"""`rerender` and `fill_excerpts`: stale rows get the current renderer's HTML, read and typeset
in batches, and rows already current are left alone."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from shortscience.models import Comment, Summary
from shortscience.rendering import RENDERER_VERSION
from shortscience.services import comments, markup, rendering_jobs
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_stale_summaries_and_comments_get_the_current_rendering_in_batches(monkeypatch):
    monkeypatch.setattr(rendering_jobs, "CHUNK", 2)  # several chunks from five rows
    made = [make_summary(paper=make_paper(), markdown=f"Text {n} with $x^{n}$") for n in range(5)]
    comment = comments.add(make_user(), made[0].pk, "A comment with $y$")
    Summary.objects.update(html="old", excerpt_html="old", renderer_version=0)
    Comment.objects.update(html="old", renderer_version=0)
    counts = rendering_jobs.rerender()
    assert counts["summaries"] == 5 and counts["comments"] == 1
    for summary in Summary.objects.order_by("pk"):
        fresh = markup.render(summary.markdown)
        assert (summary.html, summary.excerpt_html) == (fresh.html, fresh.excerpt_html)
        assert summary.renderer_version == RENDERER_VERSION
    comment.refresh_from_db()
    assert comment.html == markup.render(comment.markdown, heading_offset=3).html


def test_current_rows_are_left_alone_and_force_renders_them_again():
    make_summary(markdown="Current $z$")
    assert rendering_jobs.rerender()["summaries"] == 0
    assert rendering_jobs.rerender(force=True)["summaries"] == 1


def test_fill_excerpts_gives_each_summary_without_one_its_excerpt_only():
    summary = make_summary(markdown="An opening paragraph with $a+b$.\n\nMore.")
    Summary.objects.update(excerpt_html="", html="kept as it is")
    assert rendering_jobs.fill_excerpts() == 1
    summary.refresh_from_db()
    assert summary.excerpt_html == markup.render(summary.markdown).excerpt_html
    assert summary.html == "kept as it is"


OLD_SITE_SUMMARY = (
    "**Method: ** a loss $\\mbox{KL}(p \\Vert q)$ with $\\begin{align}a &= b\\end{align}$, "
    "see https://example.org/fig1.png here."
)


def test_rerender_gives_summaries_and_comments_stored_by_renderer_2_the_old_site_rules():
    summary = make_summary(markdown=OLD_SITE_SUMMARY)
    comment = comments.add(make_user(), summary.pk, OLD_SITE_SUMMARY)
    # As renderer 2 stored them: bold running on, \mbox an error, the figure a link.
    Summary.objects.update(html='<p>**Method: ** <span class="math-error">', renderer_version=2)
    Comment.objects.update(html='<p>**Method: ** <span class="math-error">', renderer_version=2)
    call_command("rerender", stdout=StringIO())
    summary.refresh_from_db()
    comment.refresh_from_db()
    for html in (summary.html, comment.html):
        assert "<strong>Method: </strong>" in html
        assert "math-error" not in html
        assert '<img src="https://example.org/fig1.png" alt="fig1.png">' in html
    assert summary.renderer_version == comment.renderer_version == RENDERER_VERSION == 3
