"""The follow buttons, the notifications page, the e-mail setting and the unsubscribe page,
through HTTP in-process: POST-only with CSRF, without JavaScript and with htmx, and a bounded
number of queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shortscience.models import Follow, Notification, User
from shortscience.services import comments, follows, notification_emails
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def test_following_a_paper_without_javascript_redirects_back(client_for: ClientFor):
    ada, paper = make_user(), make_paper()
    response = client_for(ada).post(
        f"/follow/paper/{paper.pk}/", {"action": "follow", "next": f"/papers/{paper.pk}/"}
    )
    assert response.status_code == 302 and response["Location"] == f"/papers/{paper.pk}/"
    assert Follow.objects.filter(follower=ada, paper=paper).exists()
    page = client_for(ada).get(f"/papers/{paper.pk}/").content.decode()
    assert "Following this paper" in page


def test_an_htmx_follow_answers_the_swapped_button(client_for: ClientFor):
    ada, bob = make_user(), make_user(display_name="Bob B.")
    client = client_for(ada)
    response = client.post(
        f"/follow/user/{bob.username}/",
        {"action": "follow", "label": "Bob B."},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and f'id="follow-user-{bob.username}"' in html
    assert "Following Bob B." in html and 'value="unfollow"' in html
    response = client.post(
        f"/follow/user/{bob.username}/", {"action": "unfollow"}, HTTP_HX_REQUEST="true"
    )
    assert 'value="follow"' in response.content.decode()
    assert not Follow.objects.filter(follower=ada).exists()


def test_following_is_post_only_needs_csrf_and_a_sign_in(client_for: ClientFor):
    ada, paper = make_user(), make_paper()
    assert client_for(ada).get(f"/follow/paper/{paper.pk}/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ada)
    assert strict.post(f"/follow/paper/{paper.pk}/").status_code == 403
    stranger = Client().post(f"/follow/paper/{paper.pk}/")
    assert stranger.status_code == 302 and "/accounts/login/" in stranger["Location"]
    assert not Follow.objects.exists()


def test_following_yourself_an_unknown_kind_or_a_bad_id_is_refused(client_for: ClientFor):
    ada = make_user()
    assert client_for(ada).post("/follow/paper/12x/").status_code == 404
    assert client_for(ada).post("/follow/user/nobody-here/").status_code == 404
    assert client_for(ada).post(f"/follow/user/{ada.username}/").status_code == 400
    assert client_for(ada).post("/follow/tag/1/").status_code == 400


def test_the_user_page_and_summary_page_show_follow_buttons(client_for: ClientFor):
    ada, bob = make_user(), make_user()
    summary = make_summary(bob)
    client = client_for(ada)
    profile = client.get(f"/users/{bob.username}/").content.decode()
    assert f'id="follow-user-{bob.username}"' in profile
    # People are followed by username: pages never carry a person's id.
    assert f'follow-user-{bob.pk}"' not in profile and f"follow/user/{bob.pk}/" not in profile
    assert (
        f'id="follow-summary-{summary.pk}"'
        in client.get(f"/summaries/{summary.pk}/").content.decode()
    )
    # Nobody follows themself or their own discussion.
    own = client_for(bob)
    own_profile = own.get(f"/users/{bob.username}/").content.decode()
    assert f'id="follow-user-{bob.username}"' not in own_profile
    assert (
        f'id="follow-summary-{summary.pk}"'
        not in own.get(f"/summaries/{summary.pk}/").content.decode()
    )


def test_the_header_shows_the_unread_count(client_for: ClientFor):
    bob, carol = make_user(email_notifications="off"), make_user()
    comments.add(carol, make_summary(bob).pk, "Nice.")
    html = client_for(bob).get("/").content.decode()
    assert 'class="badge unread-count">1<' in html


def test_an_anonymous_visitor_costs_no_notification_or_follow_query():
    paper = make_paper()
    client = Client()
    client.get(f"/papers/{paper.pk}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/papers/{paper.pk}/")
    tables = ('"shortscience_notification"', '"shortscience_follow"')
    assert [q["sql"] for q in queries if any(t in q["sql"] for t in tables)] == []


def test_a_paper_page_costs_the_same_queries_with_many_summaries_and_follows(
    client_for: ClientFor, settings
):
    settings.PAGE_CACHE_ENABLED = False  # the render for Ada, not the shared signed-in copy
    ada, paper = make_user(), make_paper()
    client = client_for(ada)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/papers/{paper.pk}/").status_code == 200
        return len(queries)

    make_summary(make_user(), paper)
    few = count()
    for _ in range(6):
        summary = make_summary(make_user(), paper)
        follows.follow(ada, "summary", summary.pk)
    follows.follow(ada, "paper", paper.pk)
    assert count() == few


def test_the_notifications_page_lists_and_marks_read_in_bounded_queries(
    client_for: ClientFor, django_assert_max_num_queries: Any
):
    bob, carol = make_user(email_notifications="off"), make_user()
    for n in range(12):
        comments.add(carol, make_summary(bob).pk, f"Comment {n}.")
    client = client_for(bob)
    with django_assert_max_num_queries(10):
        response = client.get("/notifications/")
    html = response.content.decode()
    assert response.status_code == 200 and html.count('class="notification unread"') == 12
    first = Notification.objects.filter(recipient=bob).first()
    assert first is not None
    assert client.get(f"/notifications/{first.pk}/read/").status_code == 405
    assert client.post(f"/notifications/{first.pk}/read/").status_code == 302
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()


def test_marking_read_needs_csrf(user: User):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post("/notifications/read-all/").status_code == 403


def test_the_notifications_page_needs_a_sign_in():
    response = Client().get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_email_setting_page_saves_the_choice(client_for: ClientFor):
    ada = make_user()
    client = client_for(ada)
    assert "immediate" in client.get("/settings/notifications/").content.decode()
    assert "/settings/notifications/" in client.get("/settings/profile/").content.decode()
    response = client.post("/settings/notifications/", {"email_notifications": "daily"})
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.email_notifications == "daily"
    assert client.post("/settings/notifications/", {"email_notifications": "x"}).status_code == 400


def test_getting_the_unsubscribe_page_changes_nothing_and_posting_turns_mail_off():
    ada = make_user()
    path = notification_emails.unsubscribe_path(ada)
    client = Client(enforce_csrf_checks=True)
    for _ in range(2):
        assert client.get(path).status_code == 200
    ada.refresh_from_db()
    assert ada.email_notifications == "immediate"
    assert client.post(path).status_code == 200
    ada.refresh_from_db()
    assert ada.email_notifications == "off"
    assert client.put(path).status_code == 405


def test_the_following_page_lists_follows_with_unfollow_buttons(client_for: ClientFor):
    ada, paper = make_user(), make_paper("A followed paper")
    follows.follow(ada, "paper", paper.pk)
    html = client_for(ada).get("/following/").content.decode()
    assert "A followed paper" in html and 'value="unfollow"' in html
