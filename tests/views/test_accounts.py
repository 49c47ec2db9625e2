"""Accounts through django-allauth: sign up with e-mail verification, sign in with username or
e-mail, password reset, and the profile page."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from shortscience.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def link_in(message) -> str:
    match = re.search(r"https?://[^\s]+", message.body)
    assert match, message.body
    return match.group(0).split("testserver", 1)[-1]


def test_sign_up_needs_a_verified_email_before_signing_in():
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "password1": "correct-horse-battery",
            "password2": "correct-horse-battery",
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "newbie@example.org" in mail.outbox[0].to
    assert "_auth_user_id" not in client.session
    confirm_url = link_in(mail.outbox[0])
    assert client.get(confirm_url).status_code == 200
    client.post(confirm_url)
    assert EmailAddress.objects.get(user__username="newbie").verified
    assert client.session.get("_auth_user_id") == str(User.objects.get(username="newbie").pk)


@pytest.mark.parametrize("login", ["signer", "signer@example.org"])
def test_sign_in_with_username_or_email(login):
    make_user("signer")
    client = Client()
    response = client.post("/accounts/login/", {"login": login, "password": "a-long-test-password"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_password_reset_sends_a_working_link():
    make_user("forgetful")
    client = Client()
    client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    assert len(mail.outbox) == 1
    url = link_in(mail.outbox[0])
    form_url = (
        client.get(url, follow=True).redirect_chain[-1][0]
        if client.get(url).status_code == 302
        else url
    )
    response = client.post(
        form_url, {"password1": "brand-new-passphrase", "password2": "brand-new-passphrase"}
    )
    assert response.status_code == 302
    assert User.objects.get(username="forgetful").check_password("brand-new-passphrase")


def test_passwords_are_hashed_with_argon2():
    assert make_user().password.startswith("argon2")


def test_profile_settings_save_and_refuse_a_bad_orcid(client_for):
    user = make_user()
    client = client_for(user)
    assert client.get("/settings/profile/").status_code == 200
    bad = client.post(
        "/settings/profile/",
        {"display_name": "Ada", "description": "", "orcid": "0000-0002-1825-0098"},
    )
    assert bad.status_code == 400
    assert "check digit" in bad.content.decode()
    good = client.post(
        "/settings/profile/",
        {"display_name": "Ada", "description": "*hi*", "orcid": "0000-0002-1694-233X"},
    )
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.orcid == "0000-0002-1694-233X"
    assert "<em>hi</em>" in user.description_html


def test_display_names_are_escaped(client):
    make_user("xss", display_name="<script>alert(1)</script>")
    from tests.factories import make_summary

    summary = make_summary(author=User.objects.get(username="xss"))
    html = client.get(f"/summaries/{summary.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("url", ["/accounts/email/", "/accounts/password/change/"])
def test_account_pages_for_changing_email_and_password_answer(client_for, url):
    assert client_for(make_user()).get(url).status_code == 200


def test_changing_the_password(client_for):
    user = make_user()
    response = client_for(user).post(
        "/accounts/password/change/",
        {
            "oldpassword": "a-long-test-password",
            "password1": "another-long-passphrase",
            "password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")


def test_staff_moderate_through_the_admin(client_for):
    from tests.factories import make_summary

    summary = make_summary()
    staff = client_for(make_user(is_staff=True, is_superuser=True))
    for url in (
        "/admin/",
        "/admin/shortscience/summary/",
        f"/admin/shortscience/summary/{summary.pk}/change/",
        "/admin/shortscience/comment/",
        "/admin/shortscience/paper/",
    ):
        assert staff.get(url).status_code == 200, url
    staff.post(
        "/admin/shortscience/summary/", {"action": "unpublish", "_selected_action": [summary.pk]}
    )
    summary.refresh_from_db()
    assert summary.status == "draft"
    assert client_for(make_user()).get("/admin/").status_code == 302


def test_the_profile_form_says_a_display_name_must_be_one_line(client_for):
    user = make_user()
    response = client_for(user).post(
        "/settings/profile/", {"display_name": "Ada\nLovelace", "description": "", "orcid": ""}
    )
    assert response.status_code == 400
    assert "no line breaks, tabs or control characters" in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == ""
