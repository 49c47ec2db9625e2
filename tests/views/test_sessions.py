"""Settings > Sessions: one session signed out from its row (views/pages/sessions.py)."""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client

from shortscience.models import User
from tests.factories import PASSWORD, just_proved_identity, make_user

pytestmark = pytest.mark.django_db


def signed_in(user: User, agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    return just_proved_identity(client, user)


def test_one_other_session_is_signed_out_from_its_row_and_the_rest_stay() -> None:
    owner = make_user("owner")
    laptop, phone, tablet = (signed_in(owner, a) for a in ("Laptop", "Lost phone", "Tablet"))
    page = laptop.get("/accounts/sessions/")
    lost = UserSession.objects.get(user=owner, user_agent="Lost phone")
    assert f'formaction="/settings/sessions/{lost.pk}/end/"'.encode() in page.content
    current = UserSession.objects.get(user=owner, user_agent="Laptop")
    assert f"/settings/sessions/{current.pk}/end/".encode() not in page.content
    response = laptop.post(f"/settings/sessions/{lost.pk}/end/")
    assert response.status_code == 302 and response["Location"] == "/accounts/sessions/"
    assert phone.get("/settings/profile/").status_code == 302  # signed out
    assert tablet.get("/settings/profile/").status_code == 200
    assert laptop.get("/settings/profile/").status_code == 200
    assert set(UserSession.objects.filter(user=owner).values_list("user_agent", flat=True)) == {
        "Laptop",
        "Tablet",
    }


def test_neither_the_current_session_nor_someone_elses_can_be_ended_this_way() -> None:
    owner, other = make_user("owner"), make_user("other")
    laptop = signed_in(owner, "Laptop")
    signed_in(other, "Theirs")
    mine = UserSession.objects.get(user=owner)
    theirs = UserSession.objects.get(user=other)
    assert laptop.post(f"/settings/sessions/{mine.pk}/end/").status_code == 404
    assert laptop.post(f"/settings/sessions/{theirs.pk}/end/").status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()
    assert laptop.get(f"/settings/sessions/{mine.pk}/end/").status_code == 405  # no GET writes
