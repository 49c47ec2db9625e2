"""Two-factor authentication (allauth.mfa): TOTP with recovery codes, and the staff rule
(issue 11, item 3). The codes are computed here, as an authenticator app would."""

from __future__ import annotations

import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth.models import Group
from django.test import Client, TestCase

from shortscience.models import User
from shortscience.services.standing import MODERATORS_GROUP
from tests.account_pages import totp_code
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


capture_on_commit_callbacks = TestCase.captureOnCommitCallbacks


def enrol_totp(client: Client) -> str:
    """Turn TOTP on through the settings page; returns the secret the page showed."""
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page.get("Location")
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # for apps that cannot scan the QR code
    with capture_on_commit_callbacks(execute=True):  # allauth's mails and signals
        response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content
    return str(secret)


def sign_in(login: str) -> tuple[Client, Any]:
    client = Client()
    return client, client.post("/accounts/login/", {"login": login, "password": PASSWORD})


def test_enrolling_totp_then_signing_in_asks_for_the_code(client_for: Any) -> None:
    member = make_user("member")
    secret = enrol_totp(client_for(member))
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with the first second factor.
    assert Authenticator.objects.filter(
        user=member, type=Authenticator.Type.RECOVERY_CODES
    ).exists()

    client, response = sign_in("member")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # the password alone is not enough
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.session.get("_auth_user_id") == str(member.pk)


def test_a_recovery_code_works_once(client_for: Any) -> None:
    member = make_user("member")
    enrol_totp(client_for(member))
    codes = RecoveryCodes(
        Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10
    client, _ = sign_in("member")
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert client.session.get("_auth_user_id") == str(member.pk)
    for _ in range(2):
        again, _ = sign_in("member")
        refused = again.post("/accounts/2fa/authenticate/", {"code": codes[0]})
        assert refused.status_code == 200
        assert "_auth_user_id" not in again.session


def test_turning_totp_off_needs_the_account_owner_again(client_for: Any) -> None:
    member = make_user("member")
    client = client_for(member)
    enrol_totp(client)
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] = time.time() - 3600
    session.save()
    response = client.post("/accounts/2fa/totp/deactivate/", {})
    assert "reauthenticate" in response["Location"]
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    # After the password again, turning it off works and takes the recovery codes with it.
    again = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert again.status_code == 302, again.content.decode()[:500]
    with capture_on_commit_callbacks(execute=True):
        removed = client.post("/accounts/2fa/totp/deactivate/", {})
    assert removed.status_code == 302, removed.content.decode()[:500]
    assert not Authenticator.objects.filter(user=member).exists()
    _, signing_in = sign_in("member")
    assert signing_in["Location"] != "/accounts/2fa/authenticate/"  # the password is enough again


@pytest.mark.parametrize("kind", ["staff", "moderator"])
def test_with_the_staff_rule_staff_must_enrol_before_anything_else(
    kind: str, client_for: Any, settings: Any
) -> None:
    settings.REQUIRE_STAFF_MFA = True
    person = make_user(kind)
    if kind == "staff":
        User.objects.filter(pk=person.pk).update(is_staff=True)
    else:
        person.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    client = client_for(User.objects.get(pk=person.pk))
    response = client.get("/moderation/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    assert client.get("/accounts/2fa/").status_code == 200  # where they enrol
    enrol_totp(client)
    assert client.get("/moderation/").status_code == 200


def test_the_staff_rule_leaves_members_alone_and_is_off_by_default(
    client_for: Any, settings: Any
) -> None:
    settings.REQUIRE_STAFF_MFA = True
    assert client_for(make_user("member")).get("/settings/profile/").status_code == 200
    settings.REQUIRE_STAFF_MFA = False
    staff = make_user("boss")
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    assert client_for(User.objects.get(pk=staff.pk)).get("/moderation/").status_code == 200


def test_guessing_the_code_after_the_password_is_limited(client_for: Any) -> None:
    """The password alone passes the first step; the six digits after it must not be
    guessable at leisure: after five wrong codes even the right one is refused for a while."""
    member = make_user("member")
    secret = enrol_totp(client_for(member))
    client, _ = sign_in("member")
    for _ in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    refused = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert "_auth_user_id" not in client.session
    assert "too many" in refused.content.decode().lower()


def test_the_admin_cannot_be_signed_into_with_the_password_alone(client_for: Any) -> None:
    boss = make_user("boss")
    User.objects.filter(pk=boss.pk).update(is_staff=True, is_superuser=True)
    enrol_totp(client_for(User.objects.get(pk=boss.pk)))
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD, "next": "/admin/"}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_passkey_is_removed_from_settings_after_the_password_again(client_for: Any) -> None:
    member = make_user("member")
    client = client_for(member)
    # A stored passkey as allauth keeps one (its credential is only read when signing in).
    key = Authenticator.objects.create(
        user=member, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop", "credential": {}}
    )
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] = time.time() - 3600
    session.save()
    stale = client.post(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/", {})
    assert "reauthenticate" in stale["Location"]
    assert Authenticator.objects.filter(pk=key.pk).exists()
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    with capture_on_commit_callbacks(execute=True):
        removed = client.post(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/", {})
    assert removed.status_code == 302, removed.content.decode()[:500]
    assert not Authenticator.objects.filter(pk=key.pk).exists()
    # Nobody else's passkey can be removed through their own settings.
    theirs = Authenticator.objects.create(
        user=make_user("other"), type=Authenticator.Type.WEBAUTHN, data={"name": "Theirs"}
    )
    assert client.post(f"/accounts/2fa/webauthn/keys/{theirs.pk}/remove/", {}).status_code == 404
    assert Authenticator.objects.filter(pk=theirs.pk).exists()
