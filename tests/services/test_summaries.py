import pytest

from shortscience.models import Comment, Revision, Summary, Vote
from shortscience.services import comments, summaries, votes
from shortscience.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def save(author, paper, markdown, **options):
    request = summaries.SaveRequest(
        markdown=markdown,
        publish=options.get("publish", True),
        private=options.get("private", False),
        anonymous=options.get("anonymous", False),
    )
    return summaries.save(author, paper, request)


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


def test_diff_between_two_revisions_shows_added_and_removed_lines():
    author, paper = make_user(), make_paper()
    save(author, paper, "line one\nline two")
    summary = save(author, paper, "line one\nline 2")
    _, lines = summaries.diff(summary.pk, author, 1, 2)
    assert [(line.kind, line.text) for line in lines] == [
        ("same", "line one"),
        ("removed", "line two"),
        ("added", "line 2"),
    ]


def test_only_the_author_sees_the_revision_history():
    summary = make_summary()
    with pytest.raises(PermissionDenied):
        summaries.revisions(summary.pk, make_user())


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


def test_nobody_else_not_even_staff_can_share_or_read_history_and_nobody_learns_it_exists():
    summary = make_summary(private=True)
    for other in (make_user(), make_user(is_staff=True)):
        with pytest.raises(NotFound):
            summaries.set_share_link(summary.pk, other, enabled=True)
        with pytest.raises(NotFound):
            summaries.revisions(summary.pk, other)
        with pytest.raises(NotFound):
            summaries.diff(summary.pk, other, 1, 1)


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
    assert summaries.preview(text) == make_summary(markdown=text).html


def test_a_citation_links_to_the_cited_paper_with_its_title():
    from shortscience.models import PaperIdentifier

    cited = make_paper("Fast R-CNN")
    PaperIdentifier.objects.create(paper=cited, scheme="legacy", value="conf/iccv/Girshick15")
    summary = make_summary(markdown="Builds on \\cite{conf/iccv/Girshick15}.")
    assert 'href="/cite/conf/iccv/Girshick15"' in summary.html
    assert ">Fast R-CNN</a>" in summary.html
