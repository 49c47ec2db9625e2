"""Following and notifications through the API: token or session, write scope for changes,
idempotent follows, the caller's notifications only, never an anonymous author's name."""

from __future__ import annotations

import pytest

from shortscience.models import Follow, Notification
from shortscience.services import comments, follows
from tests.api.conftest import ApiClient, error_shape, with_session, with_token
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_following_a_paper_twice_answers_the_same_follow():
    ada, paper = make_user(), make_paper("Followed")
    client = with_token(ada)
    first = client.put(f"/follows/papers/{paper.pk}")
    assert first.status_code == 200
    body = first.json()
    assert (body["kind"], body["id"], body["name"]) == ("paper", paper.pk, "Followed")
    assert client.put(f"/follows/papers/{paper.pk}").json() == body
    assert Follow.objects.filter(follower=ada).count() == 1


def test_following_people_by_username_and_discussions_by_id():
    ada, bob = make_user(), make_user(display_name="Bob B.")
    summary = make_summary(bob)
    client = with_token(ada)
    assert client.put(f"/follows/users/{bob.username}").json()["name"] == "Bob B."
    assert client.put(f"/follows/summaries/{summary.pk}").json()["kind"] == "summary"
    listed = client.get("/follows").json()["items"]
    assert [(f["kind"], f["id"]) for f in listed] == [("summary", summary.pk), ("user", bob.pk)]
    assert client.delete(f"/follows/users/{bob.username}").status_code == 204
    assert client.delete(f"/follows/summaries/{summary.pk}").status_code == 204
    assert client.delete(f"/follows/papers/{make_paper().pk}").status_code == 204
    assert client.get("/follows").json()["items"] == []


def test_following_yourself_or_what_is_not_public_is_refused():
    ada = make_user()
    client = with_token(ada)
    assert error_shape(client.put(f"/follows/users/{ada.username}"))["code"] == "InvalidInput"
    draft = make_summary(publish=False)
    assert client.put(f"/follows/summaries/{draft.pk}").status_code == 404
    assert client.put("/follows/users/nobody-here").status_code == 404
    assert client.put("/follows/papers/999999").status_code == 404
    assert client.put(f"/follows/papers/{2**63}").status_code == 422


def test_changes_need_a_write_token_and_lists_need_a_caller():
    ada, paper = make_user(), make_paper()
    assert ApiClient().get("/follows").status_code == 401
    assert ApiClient().get("/notifications").status_code == 401
    assert ApiClient().put(f"/follows/papers/{paper.pk}").status_code == 401
    reader = with_token(ada, "read")
    assert reader.get("/follows").status_code == 200
    assert reader.put(f"/follows/papers/{paper.pk}").status_code == 403
    assert reader.post("/notifications/read-all").status_code == 403


def test_a_session_write_needs_the_csrf_token():
    ada, paper = make_user(), make_paper()
    response = with_session(ada, enforce_csrf=True).put(f"/follows/papers/{paper.pk}")
    assert response.status_code == 403
    assert not Follow.objects.exists()


def test_the_notification_list_has_the_unread_count_and_pages():
    bob, carol = make_user(email_notifications="off"), make_user()
    for n in range(3):
        comments.add(carol, make_summary(bob).pk, f"Comment {n}.")
    client = with_token(bob)
    first = client.get("/notifications?limit=2").json()
    assert first["unread_count"] == 3 and len(first["items"]) == 2
    assert first["items"][0]["kind"] == "summary_comment" and first["items"][0]["unread"]
    rest = client.get(f"/notifications?limit=2&cursor={first['next_cursor']}").json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    one = first["items"][0]["id"]
    assert client.post(f"/notifications/{one}/read").status_code == 204
    assert client.get("/notifications").json()["unread_count"] == 2
    assert client.post("/notifications/read-all").json() == {"marked": 2}
    assert client.get("/notifications").json()["unread_count"] == 0


def test_nobody_reads_or_marks_someone_elses_notifications():
    bob, carol = make_user(email_notifications="off"), make_user()
    comments.add(carol, make_summary(bob).pk, "Nice.")
    theirs = Notification.objects.get(recipient=bob)
    client = with_token(carol)
    assert client.get("/notifications").json()["items"] == []
    assert client.post(f"/notifications/{theirs.pk}/read").status_code == 404


def test_a_notification_about_an_anonymous_summary_does_not_name_its_author():
    ada, bob = make_user(email_notifications="off"), make_user(display_name="Secret Author")
    paper = make_paper()
    follows.follow(ada, "paper", paper.pk)
    make_summary(bob, paper, anonymous=True)
    response = with_token(ada).get("/notifications")
    assert response.json()["items"][0]["text"].startswith("Anonymous published")
    assert "Secret Author" not in response.content.decode()
    assert bob.username not in response.content.decode()


def test_a_bad_cursor_is_a_400_not_a_500():
    response = with_token(make_user()).get("/notifications?cursor=nonsense")
    assert response.status_code == 400
