"""Comments through the API: threads with replies one level deep, tombstones, posting."""

import pytest

from shortscience.models import Comment
from shortscience.services import accounts, comments
from tests.api.conftest import error_shape, with_token
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def test_comments_come_as_threads_with_replies(stranger):
    summary = make_summary()
    alice, bob = make_user("alice"), make_user("bob")
    top = comments.add(alice, summary.pk, "Nice $x$")
    reply = comments.add(bob, summary.pk, "Agreed", top.pk)
    second = comments.add(bob, summary.pk, "Another point")
    response = stranger.get(f"/summaries/{summary.pk}/comments")
    assert response.status_code == 200
    body = response.json()
    assert body["summary_id"] == summary.pk
    assert [c["id"] for c in body["items"]] == [top.pk, second.pk]
    first = body["items"][0]
    assert first["author"]["username"] == "alice" and "<math" in first["html"]
    assert [r["id"] for r in first["replies"]] == [reply.pk]
    assert first["replies"][0]["author"]["username"] == "bob"


def test_a_deleted_comment_with_replies_stays_as_a_tombstone(stranger):
    summary = make_summary()
    alice = make_user()
    top = comments.add(alice, summary.pk, "Secret words")
    comments.add(make_user(), summary.pk, "Reply", top.pk)
    comments.delete(alice, top.pk)
    first = stranger.get(f"/summaries/{summary.pk}/comments").json()["items"][0]
    assert first["deleted"] is True
    assert first["author"] is None and first["html"] == ""
    assert len(first["replies"]) == 1


def test_a_comment_kept_from_a_deleted_account_has_no_author(stranger):
    summary = make_summary()
    leaver = make_user("leaver")
    leaver.set_password("pw-of-leaver-1")
    leaver.save()
    comments.add(leaver, summary.pk, "Kept words")
    accounts.delete_account(leaver, "pw-of-leaver-1", accounts.Mode.ANONYMISE)
    first = stranger.get(f"/summaries/{summary.pk}/comments").json()["items"][0]
    assert first["author"] is None and "Kept words" in first["html"]


def test_the_comments_of_a_private_summary_are_not_found_for_others(stranger):
    summary = make_summary(private=True)
    assert stranger.get(f"/summaries/{summary.pk}/comments").status_code == 404
    own = with_token(summary.author, "read").get(f"/summaries/{summary.pk}/comments")
    assert own.status_code == 200


def test_posting_a_comment_and_a_reply():
    summary = make_summary()
    client = with_token(make_user("carol"))
    response = client.post(f"/summaries/{summary.pk}/comments", {"markdown": "Why *this*?"})
    assert response.status_code == 201
    body = response.json()
    assert body["author"]["username"] == "carol" and "<em>this</em>" in body["html"]
    reply = client.post(
        f"/summaries/{summary.pk}/comments", {"markdown": "Because.", "parent": body["id"]}
    )
    assert reply.status_code == 201
    assert Comment.objects.get(pk=reply.json()["id"]).parent_id == body["id"]


def test_an_empty_comment_is_refused():
    summary = make_summary()
    response = with_token(make_user()).post(f"/summaries/{summary.pk}/comments", {"markdown": ""})
    assert response.status_code == 400
    assert "markdown" in error_shape(response)["fields"]


def test_replying_to_a_comment_that_is_gone_is_a_404():
    summary = make_summary()
    response = with_token(make_user()).post(
        f"/summaries/{summary.pk}/comments", {"markdown": "hi", "parent": 999999}
    )
    assert response.status_code == 404


def test_a_locked_discussion_refuses_comments():
    summary = make_summary()
    summary.comments_locked = True
    summary.save()
    response = with_token(make_user()).post(f"/summaries/{summary.pk}/comments", {"markdown": "x"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_editing_your_own_comment_renders_it_again_and_marks_it_edited():
    summary = make_summary()
    carol = make_user("carol")
    comment = comments.add(carol, summary.pk, "First $x$")
    response = with_token(carol).patch(f"/comments/{comment.pk}", {"markdown": "Second *take*"})
    assert response.status_code == 200
    body = response.json()
    assert "<em>take</em>" in body["html"] and body["edited_at"] is not None
    assert Comment.objects.get(pk=comment.pk).markdown == "Second *take*"


def test_nobody_edits_or_deletes_someone_elses_comment():
    summary = make_summary()
    comment = comments.add(make_user("carol"), summary.pk, "Mine")
    other = with_token(make_user("mallory"))
    assert other.patch(f"/comments/{comment.pk}", {"markdown": "Hacked"}).status_code == 403
    assert other.delete(f"/comments/{comment.pk}").status_code == 403
    assert Comment.objects.get(pk=comment.pk).markdown == "Mine"


def test_a_read_token_cannot_edit_a_comment():
    summary = make_summary()
    carol = make_user("carol")
    comment = comments.add(carol, summary.pk, "Mine")
    response = with_token(carol, "read").patch(f"/comments/{comment.pk}", {"markdown": "x"})
    assert response.status_code == 403


def test_deleting_your_comment_leaves_a_tombstone_when_it_has_replies():
    summary = make_summary()
    carol = make_user("carol")
    top = comments.add(carol, summary.pk, "Question")
    comments.add(make_user(), summary.pk, "Answer", top.pk)
    assert with_token(carol).delete(f"/comments/{top.pk}").status_code == 204
    assert with_token(carol).delete(f"/comments/{top.pk}").status_code == 404
    first = with_token(carol).get(f"/summaries/{summary.pk}/comments").json()["items"][0]
    assert first["deleted"] is True and first["html"] == "" and len(first["replies"]) == 1


def test_the_anonymous_summary_authors_comment_has_no_author_and_says_so(stranger):
    writer = make_user("hiddenwriter")
    summary = make_summary(writer, anonymous=True)
    posted = with_token(writer).post(
        f"/summaries/{summary.pk}/comments", {"markdown": "I wrote it"}
    )
    assert posted.status_code == 201
    assert posted.json()["author"] is None and posted.json()["by_summary_author"] is True
    edited = with_token(writer).patch(f"/comments/{posted.json()['id']}", {"markdown": "Edited"})
    assert edited.json()["author"] is None and edited.json()["by_summary_author"] is True
    (item,) = stranger.get(f"/summaries/{summary.pk}/comments").json()["items"]
    assert item["author"] is None and item["by_summary_author"] is True
    assert "hiddenwriter" not in stranger.get(f"/summaries/{summary.pk}/comments").content.decode()


def test_a_mention_in_an_api_comment_links_the_person():
    make_user("ada")
    summary = make_summary()
    body = (
        with_token(make_user())
        .post(f"/summaries/{summary.pk}/comments", {"markdown": "cc @ada"})
        .json()
    )
    assert 'href="/users/ada/"' in body["html"] and body["by_summary_author"] is False


def test_posting_and_editing_a_comment_list_the_formulas_that_failed():
    summary = make_summary()
    client = with_token(make_user())
    posted = client.post(
        f"/summaries/{summary.pk}/comments", {"markdown": "Fine $x$\n\nbut $\\frac{1}$"}
    )
    assert posted.status_code == 201
    body = posted.json()
    assert [(p["line"], p["formula"]) for p in body["formula_problems"]] == [(3, "\\frac{1}")]
    assert body["formula_problem_count"] == 1 and body["formula_problems"][0]["message"]
    edited = client.patch(f"/comments/{body['id']}", {"markdown": "$\\nosuch$ and $\\frac{1}$"})
    assert edited.status_code == 200
    assert [p["formula"] for p in edited.json()["formula_problems"]] == ["\\nosuch", "\\frac{1}"]
    fixed = client.patch(f"/comments/{body['id']}", {"markdown": "Fixed: $\\frac{1}{2}$"})
    assert fixed.json()["formula_problems"] == [] and fixed.json()["formula_problem_count"] == 0
    # Unchanged text still reports its formulas.
    again = client.patch(f"/comments/{body['id']}", {"markdown": "Fixed: $\\frac{1}{2}$"})
    assert again.status_code == 200 and again.json()["formula_problem_count"] == 0
