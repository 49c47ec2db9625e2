import pytest

from shortscience.models import Comment, Revision, Summary, Vote
from shortscience.services import comments, summaries, votes
from shortscience.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


# A save through the real path with the form's options (tests/factories.make_summary).
save = make_summary


def test_publishing_stores_source_html_and_renderer_version_side_by_side():
    summary = make_summary(markdown="Energy: $E = mc^2$")
    assert summary.markdown == "Energy: $E = mc^2$"
    assert "<math" in summary.html
    assert summary.renderer_version > 0
    assert summary.is_public
    assert summary.published_at is not None


def test_a_person_writes_at_most_one_summary_per_paper():
    author, paper = make_user(), make_paper()
    first = save(author, paper, "first")
    second = save(author, paper, "second")
    assert first.pk == second.pk
    assert Summary.objects.filter(paper=paper, author=author).count() == 1
    assert Summary.objects.get(pk=first.pk).markdown == "second"


def test_every_save_is_a_revision_and_a_double_submit_adds_none():
    author, paper = make_user(), make_paper()
    save(author, paper, "one", publish=False)
    save(author, paper, "two")
    save(author, paper, "two")
    summary = Summary.objects.get(author=author, paper=paper)
    assert list(summary.revisions.values_list("number", "markdown")) == [(2, "two"), (1, "one")]


def test_editing_a_published_summary_marks_it_edited():
    summary = make_summary(markdown="before")
    assert summary.edited_at is None
    edited = save(summary.author, summary.paper, "after")
    assert edited.edited_at is not None


@pytest.mark.parametrize("text", ["", "   \n\t ", "\x00"])
def test_an_empty_summary_is_refused_with_a_clear_message(text):
    with pytest.raises(InvalidInput, match="empty"):
        make_summary(markdown=text)


def test_an_over_long_summary_is_refused_and_nothing_is_saved(settings):
    settings.SUMMARY_MAX_CHARS = 100
    author = make_user()
    with pytest.raises(InvalidInput, match="limit is 100"):
        make_summary(author=author, markdown="x" * 101)
    assert not Summary.objects.filter(author=author).exists()


def test_lone_surrogates_and_nul_bytes_are_cleaned_not_fatal():
    summary = make_summary(markdown="ok \ud800 text\x00 here")
    assert "\x00" not in summary.markdown
    summary.refresh_from_db()
    assert "ok" in summary.markdown


def test_a_broken_formula_is_saved_and_shows_an_inline_error():
    summary = make_summary(markdown="Good $a+b$ and broken $\\frac{1}{$ then more text.")
    assert "math-error" in summary.html
    assert "then more text" in summary.html
    assert summary.html.count("<math") >= 1


def test_drafts_and_private_summaries_are_hidden_from_others():
    author, other = make_user(), make_user()
    draft = make_summary(author=author, publish=False)
    private = make_summary(author=author, private=True)
    for summary in (draft, private):
        assert summaries.get_visible(summary.pk, author) == summary
        with pytest.raises(NotFound):
            summaries.get_visible(summary.pk, other)
        with pytest.raises(NotFound):
            summaries.get_visible(summary.pk, None)


def test_a_share_link_opens_a_private_summary_until_it_is_revoked():
    summary = make_summary(private=True)
    shared = summaries.set_share_link(summary.pk, summary.author, enabled=True)
    assert shared.share_token
    assert len(shared.share_token) >= 40
    assert summaries.get_by_share_token(shared.share_token) == summary
    summaries.set_share_link(summary.pk, summary.author, enabled=False)
    with pytest.raises(NotFound):
        summaries.get_by_share_token(shared.share_token)


def test_nobody_else_not_even_staff_can_share_and_nobody_learns_it_exists():
    summary = make_summary(private=True)
    for other in (make_user(), make_user(is_staff=True)):
        with pytest.raises(NotFound):
            summaries.set_share_link(summary.pk, other, enabled=True)


def test_staff_may_delete_any_summary():
    summary = make_summary(private=True)
    summaries.delete(summary.pk, make_user(is_staff=True))
    assert not Summary.objects.filter(pk=summary.pk).exists()


def test_deleting_a_summary_removes_its_votes_comments_and_revisions():
    summary = make_summary()
    voter = make_user()
    votes.cast(voter, summary.pk, 1)
    comment = comments.add(voter, summary.pk, "nice")
    comments.add(summary.author, summary.pk, "thanks", comment.pk)
    summaries.delete(summary.pk, summary.author)
    assert not Summary.objects.filter(pk=summary.pk).exists()
    assert not Vote.objects.filter(summary_id=summary.pk).exists()
    assert not Comment.objects.filter(summary_id=summary.pk).exists()
    assert not Revision.objects.filter(summary_id=summary.pk).exists()


def test_a_new_summary_after_deleting_starts_clean():
    summary = make_summary()
    votes.cast(make_user(), summary.pk, 1)
    summaries.delete(summary.pk, summary.author)
    again = make_summary(author=summary.author, paper=summary.paper)
    assert again.score == 0
    assert again.revisions.count() == 1


def test_preview_is_exactly_the_html_that_publishing_stores():
    text = (
        "# Title\n\nInline $\\alpha_i$ and\n\n$$\\int_0^1 x\\,dx$$\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert summaries.preview(text).html == make_summary(markdown=text).html


def test_a_citation_links_to_the_cited_paper_with_its_title():
    from shortscience.models import PaperIdentifier

    cited = make_paper("Fast R-CNN")
    PaperIdentifier.objects.create(paper=cited, scheme="legacy", value="conf/iccv/Girshick15")
    summary = make_summary(markdown="Builds on \\cite{conf/iccv/Girshick15}.")
    assert 'href="/cite/conf/iccv/Girshick15"' in summary.html
    assert ">Fast R-CNN</a>" in summary.html


# Drafts beside the published text, autosave and conflicts (issue 12).


def _req(markdown: str, *, publish: bool = True, **options) -> summaries.SaveRequest:
    return summaries.SaveRequest(
        markdown=markdown, publish=publish, private=False, anonymous=False, **options
    )


def test_autosave_on_a_paper_without_a_summary_makes_an_unpublished_draft():
    author, paper = make_user(), make_paper()
    draft = summaries.autosave(author, paper, "Half a thought", base_version=0)
    assert draft.status == Summary.Status.DRAFT and not draft.is_public
    assert draft.draft_markdown == "Half a thought" and draft.markdown == ""
    assert draft.revisions.count() == 0
    assert summaries.editor_text(draft) == "Half a thought"


def test_autosave_never_touches_the_published_text_or_html():
    summary = make_summary(markdown="Published words.")
    html = summary.html
    again = summaries.autosave(
        summary.author, summary.paper, "Unfinished rewrite", base_version=summary.version
    )
    again.refresh_from_db()
    assert (again.markdown, again.html, again.is_public) == ("Published words.", html, True)
    assert again.draft_markdown == "Unfinished rewrite"
    assert again.version == summary.version + 1
    assert again.revisions.count() == 1


def test_saving_a_draft_of_a_published_summary_keeps_it_live_beside_it():
    summary = make_summary(markdown="Published words.")
    saved = summaries.write(
        summary.author,
        summary.paper,
        _req("A better version", publish=False, base_version=summary.version),
    )
    assert saved.draft_only
    summary.refresh_from_db()
    assert summary.is_public and summary.markdown == "Published words."
    assert summary.draft_markdown == "A better version"
    assert [r.status for r in summary.revisions.all()] == ["draft", "published"]


def test_publishing_the_draft_replaces_the_published_text_and_clears_the_draft():
    summary = make_summary(markdown="Published words.")
    summaries.autosave(summary.author, summary.paper, "Final words.", base_version=None)
    summary.refresh_from_db()
    summaries.save(
        summary.author, summary.paper, _req("Final words.", base_version=summary.version)
    )
    summary.refresh_from_db()
    assert (summary.markdown, summary.draft_markdown, summary.is_public) == (
        "Final words.",
        "",
        True,
    )
    assert summary.draft_saved_at is None


def test_unpublish_still_takes_a_published_summary_offline():
    summary = make_summary(markdown="Published words.")
    summaries.save(
        summary.author, summary.paper, _req("Published words.", publish=False, unpublish=True)
    )
    summary.refresh_from_db()
    assert summary.status == Summary.Status.DRAFT and not summary.is_public


def test_a_save_from_a_stale_version_is_refused_and_changes_nothing():
    summary = make_summary(markdown="First tab's text.")
    opened = summary.version
    summaries.save(summary.author, summary.paper, _req("Second tab's text.", base_version=opened))
    with pytest.raises(summaries.Stale) as refused:
        summaries.save(summary.author, summary.paper, _req("First tab again.", base_version=opened))
    assert refused.value.current.markdown == "Second tab's text."
    assert refused.value.status == 409
    summary.refresh_from_db()
    assert summary.markdown == "Second tab's text."
    assert summary.revisions.count() == 2


def test_an_autosave_from_a_stale_version_is_refused():
    summary = make_summary()
    opened = summary.version
    summaries.autosave(summary.author, summary.paper, "Tab one", base_version=opened)
    with pytest.raises(summaries.Stale):
        summaries.autosave(summary.author, summary.paper, "Tab two", base_version=opened)
    summary.refresh_from_db()
    assert summary.draft_markdown == "Tab one"


def test_an_editor_opened_before_the_summary_existed_conflicts_with_one_made_since():
    author, paper = make_user(), make_paper()
    summaries.autosave(author, paper, "Made in the other tab", base_version=0)
    with pytest.raises(summaries.Stale):
        summaries.save(author, paper, _req("Made here", base_version=0))


def test_discarding_a_draft_keeps_the_saved_summary():
    summary = make_summary(markdown="Published words.")
    summaries.autosave(summary.author, summary.paper, "Scrap this", base_version=None)
    summaries.discard_draft(summary.pk, summary.author)
    summary.refresh_from_db()
    assert (summary.markdown, summary.draft_markdown, summary.is_public) == (
        "Published words.",
        "",
        True,
    )


def test_discarding_a_draft_that_was_never_saved_otherwise_removes_the_summary():
    author, paper = make_user(), make_paper()
    draft = summaries.autosave(author, paper, "Scrap this", base_version=0)
    assert summaries.discard_draft(draft.pk, author) == paper
    assert not Summary.objects.filter(pk=draft.pk).exists()


def test_nobody_else_can_discard_a_draft():
    summary = make_summary()
    summaries.autosave(summary.author, summary.paper, "Mine", base_version=None)
    with pytest.raises(PermissionDenied):
        summaries.discard_draft(summary.pk, make_user())


def test_autosave_and_preview_refuse_a_text_over_the_limit(settings):
    settings.SUMMARY_MAX_CHARS = 50
    author, paper = make_user(), make_paper()
    with pytest.raises(InvalidInput) as refused:
        summaries.preview("x" * 51)
    assert "51 characters long; the limit is 50" in refused.value.message
    with pytest.raises(InvalidInput):
        summaries.autosave(author, paper, "x" * 51, base_version=0)
    assert not Summary.objects.filter(author=author).exists()


def test_an_empty_preview_is_an_empty_pane_not_an_error():
    assert summaries.preview("  \n").html == ""


def test_saving_lists_each_failed_formula_with_its_line_and_message():
    saved = summaries.write(
        make_user(),
        make_paper(),
        _req("Fine $x$.\n\nThen\n$\\nosuchmacro$ and $\\frac{1}$.\n\n$$\n\\oops\n$$"),
    )
    lines = [(p.line, p.formula) for p in saved.formula_problems]
    assert lines == [(4, "\\nosuchmacro"), (4, "\\frac{1}"), (6, "\\oops")]
    assert "\\nosuchmacro" in saved.formula_problems[0].message
    assert summaries.preview("$\\oops$").formula_problems[0].line == 1


def test_the_editor_opens_on_the_draft_with_its_own_preview():
    summary = make_summary(markdown="Published $x$.")
    assert summaries.opening_preview(summary) is None  # the stored HTML will do
    summaries.autosave(summary.author, summary.paper, "Draft with $\\oops$", base_version=None)
    summary.refresh_from_db()
    opening = summaries.opening_preview(summary)
    assert opening is not None and "math-error" in opening.html
    assert [p.formula for p in opening.formula_problems] == ["\\oops"]


def test_an_autosave_of_a_draft_leaves_the_cached_lists_and_paper_page_alone():
    from shortscience.services import pagecache

    summary = make_summary()
    shared = [pagecache.LISTS, pagecache.paper(summary.paper_id)]
    before = pagecache.versions(shared)
    summaries.autosave(summary.author, summary.paper, "Typing on", base_version=None)
    summaries.autosave(summary.author, summary.paper, "Typing on and on", base_version=None)
    assert pagecache.versions(shared) == before


def _texts(summary):
    return [(r.markdown, r.status) for r in summary.revisions.order_by("number")]


def test_publishing_over_an_autosaved_draft_keeps_the_draft_as_a_revision():
    summary = make_summary(markdown="Published words.")
    summaries.autosave(summary.author, summary.paper, "Typed, never saved.", base_version=None)
    summaries.save(summary.author, summary.paper, _req("Something else entirely."))
    summary.refresh_from_db()
    assert summary.draft_markdown == ""
    assert _texts(summary) == [
        ("Published words.", "published"),
        ("Typed, never saved.", "draft"),
        ("Something else entirely.", "published"),
    ]


def test_a_double_submit_with_the_same_base_version_is_no_conflict():
    summary = make_summary(markdown="First words.")
    opened = summary.version
    request = _req("Second words.", base_version=opened)
    summaries.save(summary.author, summary.paper, request)
    again = summaries.write(summary.author, summary.paper, request)
    assert again.summary.markdown == "Second words."
    assert summary.revisions.count() == 2
    summary.refresh_from_db()
    draft = _req("A draft beside.", publish=False, base_version=summary.version)
    summaries.save(summary.author, summary.paper, draft)
    assert summaries.write(summary.author, summary.paper, draft).draft_only


def test_a_repeated_autosave_from_an_old_version_is_no_conflict():
    summary = make_summary()
    opened = summary.version
    summaries.autosave(summary.author, summary.paper, "Tab one", base_version=opened)
    summaries.autosave(summary.author, summary.paper, "Tab one", base_version=opened)
    summary.refresh_from_db()
    assert summary.draft_markdown == "Tab one"


def test_drafts_of_never_public_summaries_touch_no_public_page():
    from shortscience.services import pagecache

    author, paper = make_user(), make_paper()
    published = make_summary()
    shared = [pagecache.SITE, pagecache.LISTS, pagecache.paper(paper.pk)]
    shared += [pagecache.paper(published.paper_id), pagecache.summary(published.pk)]
    before = pagecache.versions(shared)
    draft = summaries.autosave(author, paper, "Half a thought", base_version=0)
    summaries.autosave(author, paper, "Half a thought, more", base_version=None)
    summaries.save(published.author, published.paper, _req("A draft beside.", publish=False))
    summaries.autosave(published.author, published.paper, "Typing", base_version=None)
    summaries.discard_draft(published.pk, published.author)
    summaries.discard_draft(draft.pk, author)
    assert pagecache.versions(shared) == before
    assert not Summary.objects.filter(pk=draft.pk).exists()


def test_a_draft_identical_to_the_published_text_is_no_draft():
    summary = make_summary(markdown="Published words.")
    summaries.autosave(summary.author, summary.paper, "Typed away.", base_version=None)
    saved = summaries.write(summary.author, summary.paper, _req("Published words.", publish=False))
    assert saved.draft_only
    summary.refresh_from_db()
    assert summary.draft_markdown == "" and summary.is_public
    assert _texts(summary) == [("Published words.", "published"), ("Typed away.", "draft")]
