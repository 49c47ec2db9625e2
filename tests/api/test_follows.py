"""Following through the API: token or session, write scope for changes, idempotent follows
(the notifications they bring: tests/api/test_notifications.py)."""

from __future__ import annotations

import pytest

from shortscience.models import Follow, Venue
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


def test_following_a_venue_a_category_and_a_search():
    ada = make_user()
    venue = Venue.objects.create(key="ICCV", name="International Conference on Computer Vision")
    make_paper(categories=["cs.LG"])  # a category is followed once a paper here has it
    client = with_token(ada)
    followed = client.put("/follows/venues/ICCV").json()
    assert (followed["kind"], followed["id"], followed["key"]) == ("venue", venue.pk, "ICCV")
    assert followed["name"] == "International Conference on Computer Vision"
    category = client.put("/follows/categories/cs.LG").json()
    assert (category["kind"], category["id"], category["key"]) == ("category", None, "cs.LG")
    assert category["url"].endswith("/new/cs.LG/")
    search = client.put("/follows/searches?q=residual%20networks").json()
    assert (search["kind"], search["key"]) == ("search", "residual networks")
    assert "q=residual+networks" in search["url"]
    assert client.put("/follows/searches?q=residual%20networks").json() == search
    listed = client.get("/follows").json()["items"]
    assert [f["kind"] for f in listed] == ["search", "category", "venue"]
    assert client.delete("/follows/venues/ICCV").status_code == 204
    assert client.delete("/follows/categories/cs.LG").status_code == 204
    assert client.delete("/follows/searches?q=residual%20networks").status_code == 204
    assert client.get("/follows").json()["items"] == []


def test_an_unknown_venue_or_category_is_not_found_and_a_read_token_cannot_follow():
    ada = make_user()
    client = with_token(ada)
    assert error_shape(client.put("/follows/venues/NOPE"))["code"] == "NotFound"
    assert client.put("/follows/categories/not-a-category").status_code == 404
    assert with_token(ada, "read").put("/follows/categories/cs.LG").status_code == 403
    assert Follow.objects.filter(follower=ada).count() == 0
