import pytest

from shortscience.services import comments
from shortscience.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def test_a_comment_renders_markdown_and_math():
    comment = comments.add(make_user(), make_summary().pk, "**Yes**, $\\sigma^2$")
    assert "<strong>Yes</strong>" in comment.html
    assert "<math" in comment.html


def test_replies_stay_one_level_deep():
    summary = make_summary()
    top = comments.add(make_user(), summary.pk, "top")
    reply = comments.add(make_user(), summary.pk, "reply", top.pk)
    reply_to_reply = comments.add(make_user(), summary.pk, "deeper", reply.pk)
    assert reply.parent_id == top.pk
    assert reply_to_reply.parent_id == top.pk


def test_editing_marks_the_comment_edited():
    author = make_user()
    comment = comments.add(author, make_summary().pk, "first")
    edited = comments.edit(author, comment.pk, "second")
    assert edited.edited_at is not None
    assert "second" in edited.html


def test_only_the_author_edits_or_deletes():
    comment = comments.add(make_user(), make_summary().pk, "mine")
    with pytest.raises(PermissionDenied):
        comments.edit(make_user(), comment.pk, "hijack")
    with pytest.raises(PermissionDenied):
        comments.delete(make_user(), comment.pk)


def test_a_deleted_comment_with_replies_stays_as_a_tombstone():
    summary = make_summary()
    author = make_user()
    top = comments.add(author, summary.pk, "top")
    comments.add(make_user(), summary.pk, "reply", top.pk)
    lonely = comments.add(author, summary.pk, "lonely")
    comments.delete(author, top.pk)
    comments.delete(author, lonely.pk)
    thread = comments.threads([summary.pk])[summary.pk]
    assert [c.pk for c in thread] == [top.pk]
    assert thread[0].is_deleted
    assert thread[0].html == ""
    assert [r.markdown for r in thread[0].thread_replies] == ["reply"]  # type: ignore[attr-defined]  # threads() sets it
    summary.refresh_from_db()
    assert summary.comment_count == 1


def test_an_empty_comment_is_refused():
    with pytest.raises(InvalidInput):
        comments.add(make_user(), make_summary().pk, "  ")


def test_no_comments_on_private_summaries():
    with pytest.raises(NotFound):
        comments.add(make_user(), make_summary(private=True).pk, "hello")


def test_staff_delete_but_never_edit_someone_elses_comment():
    comment = comments.add(make_user(), make_summary().pk, "mine")
    staff = make_user(is_staff=True)
    with pytest.raises(PermissionDenied):
        comments.edit(staff, comment.pk, "words put in my mouth")
    assert comments.delete(staff, comment.pk).is_deleted


def test_nobody_replies_to_a_deleted_comment():
    author = make_user()
    summary = make_summary()
    top = comments.add(author, summary.pk, "top")
    comments.delete(author, top.pk)
    with pytest.raises(NotFound):
        comments.add(make_user(), summary.pk, "reply", top.pk)
    assert comments.threads([summary.pk]) == {summary.pk: []}


def test_a_comment_links_mentions_of_people_who_exist_in_one_query(django_assert_num_queries):
    make_user("ada")
    html = comments.render("Thanks @ada and @nobody").html
    assert 'href="/users/ada/"' in html and "/users/nobody/" not in html
    with django_assert_num_queries(1):
        comments.render("@ada @b @c @d")
    with django_assert_num_queries(0):
        comments.render("no mention at all")


def test_the_preview_is_what_posting_stores_and_stores_nothing():
    from shortscience.models import Comment

    make_user("ada")
    summary = make_summary()
    writer = make_user()
    text = "Hi @ada, $\\sigma^2$ **bold**"
    shown = comments.preview(writer, summary.pk, text)
    assert not Comment.objects.exists()
    assert shown.html == comments.add(writer, summary.pk, text).html
    assert shown.as_anonymous_author is False


def test_the_preview_refuses_what_posting_would(settings):
    settings.COMMENT_MAX_CHARS = 20
    summary = make_summary()
    with pytest.raises(InvalidInput, match="limit is 20"):
        comments.preview(make_user(), summary.pk, "x" * 21)
    with pytest.raises(InvalidInput):
        comments.preview(make_user(), summary.pk, "   ")
    with pytest.raises(NotFound):
        comments.preview(make_user(), make_summary(private=True).pk, "hello")


def test_the_anonymous_author_is_told_by_the_preview_how_they_appear():
    writer = make_user()
    summary = make_summary(writer, anonymous=True)
    assert comments.preview(writer, summary.pk, "hello").as_anonymous_author
    assert not comments.preview(make_user(), summary.pk, "hello").as_anonymous_author


def test_a_comment_by_the_anonymous_author_remembers_it_was_posted_anonymously():
    writer = make_user()
    summary = make_summary(writer, anonymous=True)
    mine = comments.add(writer, summary.pk, "by the author")
    theirs = comments.add(make_user(), summary.pk, "by a reader")
    assert mine.as_summary_author and mine.by_anonymous_author
    assert not theirs.as_summary_author and not theirs.by_anonymous_author
    threads = comments.threads([summary.pk])[summary.pk]
    assert [c.by_anonymous_author for c in threads] == [True, False]
