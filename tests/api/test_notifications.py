"""The notification API: the caller's notifications only, paged, marked read one by one or all
at once, never naming an anonymous summary's author."""

from __future__ import annotations

import pytest

from shortscience.models import Notification
from shortscience.services import comments, follows
from tests.api.conftest import with_token
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


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
