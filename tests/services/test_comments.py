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
