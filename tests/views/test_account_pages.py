"""Every allauth page answers in the site's layout: the site header and footer, one h1, entrance
pages in their panel and settings pages with the one settings navigation, the page shown marked
aria-current; labels tied to inputs, errors tied to them and announced; third-party sign-in
buttons only for a provider with keys, each a POST form with the CSRF token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.core import mail
from django.test import Client
from django.urls import reverse

from shortscience.models import User
from tests.account_pages import (
    MANAGE,
    MANAGE_WITH_MFA,
    MFA_STEPS,
    PASSWORD,
    SIGNED_OUT,
    add_security_key,
    enable_totp,
    security_key_pages,
    totp_code,
    with_providers,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SETTINGS_NAV = '<nav class="settings-nav" aria-label="Settings">'


def signed_in(user: User) -> Client:
    """A client signed in through the form, as a person does: allauth then counts the member
    as freshly authenticated, so the pages that ask for it again show themselves."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return confirmed(client)


def confirmed(client: Client) -> Client:
    """The member has just confirmed their password again (ACCOUNT_REAUTHENTICATION_REQUIRED),
    as the second-factor and e-mail pages ask."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def in_site_layout(response: Any) -> str:
    # allauth answers a failed third-party sign-in with 401.
    failed = response.wsgi_request.resolver_match.url_name == "socialaccount_login_error"
    expected = 401 if failed else 200
    assert response.status_code == expected, (response.status_code, response.get("Location"))
    html: str = response.content.decode()
    assert '<header class="site-header">' in html
    assert '<footer class="site-footer wrap">' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1, re.findall(r"<h1[^<]*<", html)
    return html


def entrance_page(response: Any) -> str:
    html = in_site_layout(response)
    assert '<section class="entrance">' in html
    assert SETTINGS_NAV not in html
    return html


def settings_page(response: Any, current: str) -> str:
    html = in_site_layout(response)
    assert SETTINGS_NAV in html
    assert f'aria-current="{current}"' in html
    return html


@pytest.mark.parametrize("name", SIGNED_OUT)
def test_each_page_a_visitor_sees_is_in_the_entrance_layout(client, name):
    entrance_page(client.get(reverse(name)))


@pytest.mark.parametrize("name", MANAGE)
def test_each_settings_page_shows_the_settings_navigation_with_itself_current(name):
    html = settings_page(signed_in(make_user()).get(reverse(name)), "page")
    current = re.findall(r'<a aria-current="page" href="([^"]+)">', html)
    assert current == [reverse(name)], current


@pytest.mark.parametrize("name", MANAGE_WITH_MFA)
def test_each_two_factor_page_is_a_settings_page_inside_two_factor(name):
    user = make_user()
    enable_totp(user)
    response = confirmed(signed_in_with_totp(user)).get(reverse(name))
    html = settings_page(response, "page" if name == "mfa_index" else "true")
    marked = re.findall(r'<a aria-current="\w+" href="([^"]+)">', html)
    assert marked == [reverse("mfa_index")], marked


def signed_in_with_totp(user: User) -> Client:
    client = Client()
    step = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert step["Location"] == reverse("mfa_authenticate")
    entrance_page(client.get(reverse("mfa_authenticate")))
    secret = _secret_of(user)
    for _attempt in range(2):  # a second try if the code's 30 seconds ended on the way
        done = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        if done.status_code == 302:
            return client
    raise AssertionError(done.content.decode()[:500])


def _secret_of(user: User) -> str:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return str(decrypt(totp.data["secret"]))


@pytest.mark.parametrize("name", MFA_STEPS)
def test_each_step_of_two_factor_marks_two_factor_in_the_navigation(name):
    html = settings_page(signed_in(make_user()).get(reverse(name)), "true")
    marked = re.findall(r'<a aria-current="\w+" href="([^"]+)">', html)
    assert marked == [reverse("mfa_index")], marked


def test_the_security_key_edit_and_remove_pages_are_settings_pages():
    user = make_user()
    key = add_security_key(user, "Office key")
    # Signing in would ask for the key (a browser's job: tests/browser/test_account_pages.py).
    client = Client()
    client.force_login(user)
    confirmed(client)
    settings_page(client.get(reverse("mfa_list_webauthn")), "true")
    edit, remove = security_key_pages(key)
    assert 'value="Office key"' in settings_page(client.get(edit), "true")
    settings_page(client.get(remove), "true")


def test_the_sign_in_step_of_two_factor_is_an_entrance_page_with_a_labelled_code_field():
    user = make_user()
    enable_totp(user)
    client = Client()
    client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    html = entrance_page(client.get(reverse("mfa_authenticate")))
    assert re.search(r'<label for="id_code">', html)
    assert 'id="id_code"' in html
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    html = entrance_page(wrong)
    assert 'role="alert"' in html
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*aria-describedby="id_code_error"', html)
    assert 'id="id_code_error"' in html


def test_confirming_access_again_is_an_entrance_page_for_a_password_and_for_a_code():
    user = make_user()
    client = Client()
    client.force_login(user)
    entrance_page(client.get(reverse("account_reauthenticate")))
    enable_totp(user)
    entrance_page(client.get(reverse("mfa_reauthenticate")))


def test_logout_confirmation_is_an_entrance_page():
    entrance_page(signed_in(make_user()).get(reverse("account_logout")))


def test_sign_in_labels_its_fields_and_announces_a_failed_attempt(client):
    html = entrance_page(client.get(reverse("account_login")))
    for field in ("login", "password", "remember"):
        assert f'<label for="id_{field}">' in html, field
    assert '<label for="id_login">Username or email</label>' in html
    failed = client.post(reverse("account_login"), {"login": "nobody", "password": "wrong-guess"})
    html = entrance_page(failed)
    assert re.search(r'<div class="form-errors" role="alert"><ul><li>[^<]+</li>', html)


def test_sign_up_ties_each_error_to_its_field(client):
    response = client.post(
        reverse("account_signup"),
        {"username": "", "email": "not-an-address", "password1": "x", "password2": "y"},
    )
    html = entrance_page(response)
    assert 'role="alert"' in html
    for field in ("email", "username"):
        assert re.search(rf'<input[^>]*aria-describedby="[^"]*id_{field}_error', html), field
        assert f'<ul class="errorlist" id="id_{field}_error">' in html


def test_a_visitor_sees_no_third_party_buttons_without_keys(client):
    for name in ("account_login", "account_signup"):
        html = entrance_page(client.get(reverse(name)))
        assert "Sign in with ORCID" not in html and "Sign in with GitHub" not in html


def test_sign_in_and_sign_up_offer_orcid_and_github_as_post_forms_once_they_have_keys(
    client, settings
):
    settings.SOCIALACCOUNT_PROVIDERS = with_providers(settings.SOCIALACCOUNT_PROVIDERS)
    for name in ("account_login", "account_signup"):
        html = entrance_page(client.get(reverse(name)))
        for provider, label in (("orcid", "ORCID"), ("github", "GitHub")):
            form = re.search(
                rf'<form method="post" action="{reverse(f"{provider}_login")}\?process=login"'
                rf' class="provider"><input type="hidden" name="csrfmiddlewaretoken" value="\w+">'
                rf'<button type="submit" class="provider-button provider-{provider}">'
                rf"Sign in with {label}</button></form>",
                html,
            )
            assert form, (name, provider)


def test_the_provider_button_goes_to_the_provider_only_with_the_csrf_token(settings):
    settings.SOCIALACCOUNT_PROVIDERS = with_providers(settings.SOCIALACCOUNT_PROVIDERS)
    url = reverse("orcid_login") + "?process=login"
    checked = Client(enforce_csrf_checks=True)
    assert checked.post(url).status_code == 403
    checked.get(reverse("account_login"))
    token = checked.cookies["csrftoken"].value
    sent = checked.post(url, {"csrfmiddlewaretoken": token})
    assert sent.status_code == 302
    assert sent["Location"].startswith("https://orcid.org/oauth/authorize?")
    # A GET shows allauth's confirmation page (in the layout) and goes nowhere.
    entrance_page(Client().get(url))


def test_connected_accounts_offers_to_connect_each_provider_with_keys(settings):
    settings.SOCIALACCOUNT_PROVIDERS = with_providers(settings.SOCIALACCOUNT_PROVIDERS)
    user = make_user()
    SocialAccount.objects.create(user=user, provider="github", uid="42", extra_data={})
    html = settings_page(signed_in(user).get(reverse("socialaccount_connections")), "page")
    assert "Connect ORCID" in html and "Connect GitHub" in html
    assert '<label for="id_account_' in html


def test_the_third_party_sign_up_step_is_an_entrance_page(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = with_providers(settings.SOCIALACCOUNT_PROVIDERS)
    # What allauth keeps while an ORCID sign-in waits for the e-mail address ORCID did not give.
    account = SocialAccount(provider="orcid", uid="0000-0002-1694-233X", extra_data={})
    pending = SocialLogin(
        user=User(username="", email=""), account=account, provider=account.get_provider()
    )
    session = client.session
    session["socialaccount_sociallogin"] = pending.serialize()
    session.save()
    html = entrance_page(client.get(reverse("socialaccount_signup")))
    assert '<label for="id_email">' in html


def test_the_password_reset_steps_are_entrance_pages(client):
    make_user("forgetful")
    client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    link = re.search(r"https?://testserver(/\S+)", str(mail.outbox[0].body))
    assert link
    form_page = client.get(link.group(1), follow=True)
    html = entrance_page(form_page)
    assert '<label for="id_password1">' in html
    entrance_page(client.get(reverse("account_reset_password_from_key", args=["0", "bad-key"])))


def test_the_email_confirmation_page_is_an_entrance_page(client):
    user = make_user()
    address = EmailAddress.objects.create(user=user, email="second@example.org")
    confirmation = address.send_confirmation()
    html = entrance_page(client.get(reverse("account_confirm_email", args=[confirmation.key])))
    assert "second@example.org" in html
    entrance_page(client.get(reverse("account_confirm_email", args=["no-such-key"])))


def test_a_member_without_a_password_sets_one_on_a_settings_page():
    user = make_user()
    user.set_unusable_password()
    user.save()
    client = Client()
    client.force_login(user)
    html = settings_page(client.get(reverse("account_set_password")), "true")
    assert '<label for="id_password1">' in html


def test_the_settings_navigation_lists_every_settings_page_once():
    html = settings_page(signed_in(make_user()).get(reverse("profile")), "page")
    nav = html.split(SETTINGS_NAV, 1)[1].split("</nav>", 1)[0]
    for name in MANAGE:
        assert nav.count(f'href="{reverse(name)}"') == 1, name


def test_forms_may_go_on_to_orcid_and_github_once_they_have_keys_and_nowhere_else(client, settings):
    def form_action() -> str:
        policy = client.get(reverse("account_login"))["Content-Security-Policy"]
        return next(part.strip() for part in policy.split(";") if "form-action" in part)

    assert form_action() == "form-action 'self'"
    settings.SOCIALACCOUNT_PROVIDERS = with_providers(settings.SOCIALACCOUNT_PROVIDERS)
    assert form_action() == "form-action 'self' https://orcid.org https://github.com"
