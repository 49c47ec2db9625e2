"""A stolen signed-in session must not be enough to take an account over (issue 11, item 4).

Before: with only the victim's session, an attacker could add their own e-mail, make it
primary and remove the victim's, with no password asked and no mail to the old address; a
password reset then completed the takeover. Now every such change asks for the password (or a
second factor) again once the last proof is a few minutes old, the old address hears of the
change, and a password change ends every other session.
"""

from __future__ import annotations

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client

from shortscience.models import ApiToken, User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
AUTH_RECORDS = "account_authentication_methods"


def signed_in(user: User, agent: str = "Firefox") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def stale(client: Client) -> Client:
    """The session as a thief holds it: signed in, but its last proof of identity long ago."""
    session = client.session
    records = session[AUTH_RECORDS]
    for record in records:
        record["at"] = time.time() - 3600
    session[AUTH_RECORDS] = records
    session.save()
    return client


def test_a_stale_session_cannot_add_an_email_without_the_password() -> None:
    victim = make_user("victim")
    thief = stale(signed_in(victim))
    response = thief.post(
        "/accounts/email/", {"email": "thief@evil.example", "action_add": ""}, follow=False
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email="thief@evil.example").exists()


def test_a_stale_session_cannot_change_the_primary_address_or_remove_the_old_one() -> None:
    victim = make_user("victim")
    EmailAddress.objects.create(user=victim, email="second@example.org", verified=True)
    thief = stale(signed_in(victim))
    for action in ("action_primary", "action_remove"):
        response = thief.post("/accounts/email/", {"email": "second@example.org", action: ""})
        assert response["Location"].startswith("/accounts/reauthenticate/")
    primary = EmailAddress.objects.get(user=victim, primary=True)
    assert primary.email == "victim@example.org"
    assert EmailAddress.objects.filter(user=victim).count() == 2


def test_after_the_password_again_the_change_is_made_and_the_old_address_hears_of_it() -> None:
    owner = make_user("owner")
    EmailAddress.objects.create(user=owner, email="new@example.org", verified=True)
    client = stale(signed_in(owner))
    response = client.post("/accounts/email/", {"email": "new@example.org", "action_primary": ""})
    assert response["Location"].startswith("/accounts/reauthenticate/")
    # The reauthentication page resumes the suspended request once the password is right.
    response = client.post(response["Location"], {"password": PASSWORD}, follow=True)
    assert EmailAddress.objects.get(user=owner, primary=True).email == "new@example.org"
    told = [m for m in mail.outbox if "owner@example.org" in m.to]
    assert told, [m.subject for m in mail.outbox]
    assert "new@example.org" in told[-1].body


def test_a_password_change_tells_the_owner_and_ends_every_other_session() -> None:
    owner = make_user("owner")
    laptop = signed_in(owner, agent="Laptop")
    phone = signed_in(owner, agent="Phone")
    assert UserSession.objects.filter(user=owner).count() == 2
    response = laptop.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-password",
            "password2": "a-new-long-password",
        },
    )
    assert response.status_code == 302
    assert laptop.session.get("_auth_user_id") == str(owner.pk)
    assert phone.get("/settings/profile/").status_code == 302  # to the sign-in page
    assert "_auth_user_id" not in phone.session
    assert UserSession.objects.filter(user=owner).count() == 1
    assert any("owner@example.org" in m.to and "password" in m.subject.lower() for m in mail.outbox)


def test_a_password_reset_ends_every_session() -> None:
    owner = make_user("owner")
    forgotten = signed_in(owner)
    reset = Client()
    reset.post("/accounts/password/reset/", {"email": "owner@example.org"})
    link = next(
        word for word in mail.outbox[-1].body.split() if "/accounts/password/reset/key/" in word
    ).split("testserver", 1)[-1]
    form_url = reset.get(link)["Location"]
    reset.post(form_url, {"password1": "a-new-long-password", "password2": "a-new-long-password"})
    assert User.objects.get(pk=owner.pk).check_password("a-new-long-password")
    assert forgotten.get("/settings/profile/").status_code == 302
    assert not UserSession.objects.filter(user=owner).exists()


def test_api_tokens_and_account_deletion_ask_for_the_password_on_a_stale_session() -> None:
    owner = make_user("owner")
    thief = stale(signed_in(owner))
    assert thief.get("/settings/tokens/").status_code == 200  # looking is fine
    response = thief.post("/settings/tokens/", {"name": "exfiltrate", "scope": "write"})
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not ApiToken.objects.filter(user=owner).exists()
    response = thief.post("/settings/delete-account/", {"mode": "delete", "password": PASSWORD})
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert User.objects.filter(pk=owner.pk).exists()


def test_sessions_are_listed_in_settings_and_one_can_be_ended_from_there() -> None:
    owner = make_user("owner")
    laptop = signed_in(owner, agent="Laptop browser")
    phone = signed_in(owner, agent="Phone browser")
    page = laptop.get("/accounts/sessions/")
    assert page.status_code == 200
    assert b"Laptop browser" in page.content and b"Phone browser" in page.content
    response = laptop.post("/accounts/sessions/", {})
    assert response.status_code == 302
    assert (
        "_auth_user_id" not in phone.session or phone.get("/settings/profile/").status_code == 302
    )
    assert laptop.get("/settings/profile/").status_code == 200


def test_a_session_from_before_sessions_were_recorded_ends_on_a_password_change() -> None:
    """Sessions signed in before allauth recorded them have no row to end; Django's session
    hash signs them out at their next request, the shared signed-in pages included."""
    owner = make_user("owner")
    old = signed_in(owner, agent="Old browser")
    UserSession.objects.filter(user=owner, user_agent="Old browser").delete()
    laptop = signed_in(owner, agent="Laptop")
    laptop.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-password",
            "password2": "a-new-long-password",
        },
    )
    home = old.get("/")
    assert b'href="/users/owner/"' not in home.content
    assert old.get("/settings/profile/").status_code == 302
