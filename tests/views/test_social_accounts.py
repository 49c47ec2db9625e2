"""Sign in and sign up with ORCID and GitHub, connect and disconnect them (issue 11, items 1-2).

Everything of allauth's runs: the redirect to the provider with its state, the callback, the
token and profile requests. Only the providers' answers are served, from the recorded shapes
in tests/data/accounts/, at the HTTP edge (`responses` intercepts allauth's requests calls).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.orcid.views import OrcidOAuth2Adapter
from django.core import mail
from django.test import Client

from shortscience.models import User
from tests.factories import PASSWORD, just_proved_identity, make_user

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent.parent / "data" / "accounts"
ORCID_ID = "0000-0002-1825-0097"
ORCID_TOKEN_URL = OrcidOAuth2Adapter.access_token_url
ORCID_RECORD_URL = OrcidOAuth2Adapter.profile_url % ORCID_ID


def recorded(name: str) -> Any:
    return json.loads((DATA / name).read_text())


@pytest.fixture
def providers(settings: Any) -> None:
    """Both providers configured, as an operator does with ORCID_* and GITHUB_* variables."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {
            **settings.SOCIALACCOUNT_PROVIDERS["orcid"],
            "APPS": [{"client_id": "APP-1", "secret": "s1"}],
        },
        "github": {
            **settings.SOCIALACCOUNT_PROVIDERS["github"],
            "APPS": [{"client_id": "Iv1.2", "secret": "s2"}],
        },
    }


@pytest.fixture
def edge() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(ORCID_TOKEN_URL, json=recorded("orcid_token.json"))
        mock.get(ORCID_RECORD_URL, json=recorded("orcid_record.json"))
        mock.post("https://github.com/login/oauth/access_token", json=recorded("github_token.json"))
        mock.get("https://api.github.com/user", json=recorded("github_user.json"))
        mock.get("https://api.github.com/user/emails", json=recorded("github_emails.json"))
        yield mock


def go_to_provider(client: Client, provider: str, **extra: str) -> str:
    """POST the provider button; return the state the provider would send back."""
    response = client.post(f"/accounts/{provider}/login/", extra)
    assert response.status_code == 302, response.content
    location = urlparse(response["Location"])
    query = parse_qs(location.query)
    assert query["client_id"] and query["redirect_uri"][0].endswith(
        f"/accounts/{provider}/login/callback/"
    )
    return query["state"][0]


def come_back(client: Client, provider: str, state: str) -> Any:
    return client.get(f"/accounts/{provider}/login/callback/", {"code": "the-code", "state": state})


def test_without_keys_no_provider_is_offered(settings: Any) -> None:
    page = Client().get("/accounts/login/")
    assert page.status_code == 200
    assert b"/accounts/orcid/login/" not in page.content
    assert b"/accounts/github/login/" not in page.content
    assert Client().post("/accounts/orcid/login/").status_code == 404


def test_with_keys_both_buttons_show_and_go_to_the_provider(providers: None) -> None:
    page = Client().get("/accounts/login/")
    assert b"/accounts/orcid/login/" in page.content and b"/accounts/github/login/" in page.content
    response = Client().post("/accounts/orcid/login/")
    assert response["Location"].startswith(
        f"https://{OrcidOAuth2Adapter.base_domain}/oauth/authorize?"
    )
    assert "scope=%2Fauthenticate" in response["Location"]


def test_the_orcid_host_is_the_configured_one(settings: Any) -> None:
    assert OrcidOAuth2Adapter.base_domain == settings.ORCID_BASE_DOMAIN
    assert f"https://pub.{settings.ORCID_BASE_DOMAIN}/oauth/token" == ORCID_TOKEN_URL


def test_signing_up_with_orcid_gives_a_verified_orcid_and_asks_for_an_email(
    providers: None, edge: responses.RequestsMock
) -> None:
    client = Client()
    response = come_back(client, "orcid", go_to_provider(client, "orcid"))
    # ORCID gives no e-mail: allauth's sign-up form asks for one (and a username).
    assert response.status_code == 302 and response["Location"] == "/accounts/3rdparty/signup/"
    form = client.get("/accounts/3rdparty/signup/")
    assert form.status_code == 200
    response = client.post(
        "/accounts/3rdparty/signup/", {"email": "josiah@brown.example", "username": "carberry"}
    )
    assert response.status_code == 302
    person = User.objects.get(username="carberry")
    assert person.orcid == ORCID_ID and person.orcid_verified
    assert person.display_name == "Josiah Carberry"
    assert not person.has_usable_password()
    assert SocialAccount.objects.get(user=person).uid == ORCID_ID
    # The address is verified like any other before the account is used.
    assert any("josiah@brown.example" in m.to for m in mail.outbox)
    token_call = edge.calls[0].request
    assert "code=the-code" in str(token_call.body)


def test_signing_in_again_with_orcid_signs_into_the_same_account(
    providers: None, edge: responses.RequestsMock
) -> None:
    person = make_user("carberry")
    SocialAccount.objects.create(user=person, provider="orcid", uid=ORCID_ID, extra_data={})
    client = Client()
    response = come_back(client, "orcid", go_to_provider(client, "orcid"))
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(person.pk)


def test_a_wrong_state_is_refused_and_nobody_is_signed_in(
    providers: None, edge: responses.RequestsMock
) -> None:
    client = Client()
    go_to_provider(client, "orcid")
    response = come_back(client, "orcid", "forged-state")
    assert response.status_code == 401  # allauth's "sign-in failed" page, not a 500
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(orcid=ORCID_ID).exists()


def test_orcid_down_fails_soft_with_a_page_not_a_crash(providers: None) -> None:
    client = Client()
    state = go_to_provider(client, "orcid")
    with responses.RequestsMock() as mock:
        mock.post(ORCID_TOKEN_URL, status=503, body="Service Unavailable")
        response = come_back(client, "orcid", state)
    assert response.status_code == 401
    assert b"Traceback" not in response.content
    assert "_auth_user_id" not in client.session


def test_connecting_orcid_from_settings_verifies_the_typed_id(
    providers: None, edge: responses.RequestsMock
) -> None:
    person = make_user("carberry", orcid="0000-0001-5109-3700")
    client = just_proved_identity(Client(), person)
    client.force_login(person)
    just_proved_identity(client, person)
    response = come_back(client, "orcid", go_to_provider(client, "orcid", process="connect"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.orcid == ORCID_ID and person.orcid_verified
    assert SocialAccount.objects.filter(user=person, provider="orcid").exists()


def test_a_typed_orcid_is_unverified_and_typing_over_a_verified_one_unverifies_it(
    client_for: Any,
) -> None:
    person = make_user("carberry")
    SocialAccount.objects.create(user=person, provider="orcid", uid=ORCID_ID, extra_data={})
    User.objects.filter(pk=person.pk).update(orcid=ORCID_ID, orcid_verified=True)
    client = client_for(person)
    form = {"display_name": "J. Carberry", "description": "", "orcid": "0000-0001-5109-3700"}
    assert client.post("/settings/profile/", form).status_code == 302
    person.refresh_from_db()
    assert person.orcid == "0000-0001-5109-3700" and not person.orcid_verified
    client.post("/settings/profile/", {**form, "orcid": ORCID_ID})
    person.refresh_from_db()
    assert person.orcid_verified  # the connected ORCID account proves this one


def test_disconnecting_orcid_leaves_the_id_unverified(providers: None, client_for: Any) -> None:
    person = make_user("carberry")
    account = SocialAccount.objects.create(
        user=person, provider="orcid", uid=ORCID_ID, extra_data={}
    )
    User.objects.filter(pk=person.pk).update(orcid=ORCID_ID, orcid_verified=True)
    client = client_for(person)
    response = client.post("/accounts/3rdparty/", {"account": account.pk})
    assert response.status_code == 302, response.content
    person.refresh_from_db()
    assert person.orcid == ORCID_ID and not person.orcid_verified
    assert not SocialAccount.objects.filter(pk=account.pk).exists()


def test_a_stale_session_cannot_disconnect_an_account_without_the_password(
    providers: None, client_for: Any
) -> None:
    person = make_user("carberry")
    account = SocialAccount.objects.create(
        user=person, provider="orcid", uid=ORCID_ID, extra_data={}
    )
    client = client_for(person)
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] = time.time() - 3600  # signed in an hour ago: a stolen cookie's age
    session.save()
    disconnect = client.post("/accounts/3rdparty/", {"account": account.pk})
    assert "reauthenticate" in disconnect["Location"]
    assert SocialAccount.objects.filter(pk=account.pk).exists()
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.post("/accounts/3rdparty/", {"account": account.pk}).status_code == 302
    assert not SocialAccount.objects.filter(pk=account.pk).exists()


def test_the_last_way_in_cannot_be_disconnected(providers: None, client_for: Any) -> None:
    person = make_user("carberry")
    person.set_unusable_password()
    person.save()
    account = SocialAccount.objects.create(
        user=person, provider="orcid", uid=ORCID_ID, extra_data={}
    )
    client = client_for(person)
    response = client.post("/accounts/3rdparty/", {"account": account.pk})
    assert response.status_code == 200  # the form again, with the reason
    assert "no password" in str(response.context["form"].errors)
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_signing_up_with_github_takes_its_verified_primary_address(
    providers: None, edge: responses.RequestsMock
) -> None:
    client = Client()
    response = come_back(client, "github", go_to_provider(client, "github"))
    assert response.status_code == 302
    person = User.objects.get(socialaccount__provider="github")
    assert person.username == "octocat"
    assert EmailAddress.objects.get(user=person, primary=True).email == "octocat@github.com"
    assert EmailAddress.objects.get(user=person, primary=True).verified
    assert client.session.get("_auth_user_id") == str(person.pk)
    assert not person.orcid_verified


def test_github_with_someone_elses_address_does_not_sign_into_their_account(
    providers: None, edge: responses.RequestsMock
) -> None:
    """An address GitHub reports is never a key to an existing account here: its owner
    connects GitHub from settings while signed in."""
    owner = make_user("owner")
    User.objects.filter(pk=owner.pk).update(email="octocat@github.com")
    EmailAddress.objects.filter(user=owner).update(email="octocat@github.com")
    client = Client()
    response = come_back(client, "github", go_to_provider(client, "github"))
    assert client.session.get("_auth_user_id") != str(owner.pk)
    assert not SocialAccount.objects.filter(user=owner).exists()
    if response.status_code == 302 and response["Location"] == "/accounts/3rdparty/signup/":
        page = client.get("/accounts/3rdparty/signup/")
        assert b"already" in page.content.lower() or b"email" in page.content.lower()


def test_an_account_made_through_orcid_can_be_deleted_without_a_password(client_for: Any) -> None:
    person = make_user("carberry")
    person.set_unusable_password()
    person.save()
    client = client_for(person)
    page = client.get("/settings/delete-account/")
    assert b'name="password"' not in page.content
    response = client.post("/settings/delete-account/", {"mode": "delete"})
    assert response.status_code == 302
    assert not User.objects.filter(username="carberry").exists()


def test_sign_in_still_works_by_password_for_a_connected_account(providers: None) -> None:
    person = make_user("carberry")
    SocialAccount.objects.create(user=person, provider="orcid", uid=ORCID_ID, extra_data={})
    client = Client()
    client.post("/accounts/login/", {"login": "carberry", "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(person.pk)


def test_the_policy_lets_forms_go_to_the_configured_sign_in_pages_only(settings: Any) -> None:
    """The sign-in button posts here and is redirected to the provider: Chromium applies
    form-action to that redirect, so without the provider's origin the button does nothing."""
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    assert "form-action 'self';" in policy
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "orcid": {
            **settings.SOCIALACCOUNT_PROVIDERS["orcid"],
            "APPS": [{"client_id": "A", "secret": "s"}],
        },
    }
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    assert f"form-action 'self' https://{settings.ORCID_BASE_DOMAIN};" in policy
    assert "github.com" not in policy


def test_the_admin_shows_the_flag_but_cannot_set_it(client_for: Any) -> None:
    staff = make_user("boss", is_staff=True, is_superuser=True)
    person = make_user("carberry", orcid=ORCID_ID)
    page = client_for(staff).get(f"/admin/shortscience/user/{person.pk}/change/")
    assert page.status_code == 200
    assert b'name="orcid_verified"' not in page.content  # read-only: shown, not a field
    assert b"Orcid verified" in page.content


def test_signing_up_with_orcid_claims_the_papers_that_list_the_id(
    providers: None, edge: responses.RequestsMock
) -> None:
    from shortscience.models import AuthorClaim, AuthorOrcid
    from tests.factories import make_paper

    paper = make_paper("A paper by Josiah Carberry")
    AuthorOrcid.objects.create(paper=paper, orcid=ORCID_ID, name="Josiah Carberry")
    client = Client()
    come_back(client, "orcid", go_to_provider(client, "orcid"))
    client.post(
        "/accounts/3rdparty/signup/", {"email": "josiah@brown.example", "username": "carberry"}
    )
    claim = AuthorClaim.objects.get(paper=paper)
    assert claim.user.username == "carberry" and claim.status == AuthorClaim.Status.APPROVED
