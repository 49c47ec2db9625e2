"""Every account page, in a real browser under the site's Content-Security-Policy: axe-core
(docs/decisions/0018-accessibility-check.md) finds no serious or critical violation, and no
policy violation is reported, while a visitor signs up and signs in (the ORCID button reaching
ORCID), and while a member confirms access, turns on an authenticator app, adds a passkey,
signs in with it and with the app, and visits every settings page.

axe is evaluated through the DevTools protocol (Playwright's `evaluate`), which the policy does
not govern, so the site needs no exception for it."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from shortscience.models import User
from tests.account_pages import (
    MANAGE,
    MANAGE_WITH_MFA,
    MFA_STEPS,
    PASSWORD,
    SIGNED_OUT,
    recovery_code,
    totp_code,
    with_providers,
)
from tests.browser.conftest import screenshot
from tests.browser.test_content_security_policy import WATCH
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        message = f"no {AXE.relative_to(AXE.parents[2])}: run `npm ci` (make install)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


def readable(violations: list[dict[str, Any]]) -> str:
    """axe's violations as lines a person reads: the rule, its help, the elements (selector
    and HTML) and what axe says to fix, for the first few elements of each."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:4]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"  at {target}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {summary[:300]}")
        if len(violation["nodes"]) > 4:
            lines.append(f"  ... and {len(violation['nodes']) - 4} more")
    return "\n".join(lines)


class Checker:
    """Visits pages in one browser tab and checks each: its status, axe, the policy."""

    def __init__(self, page: Any, base: str, axe_source: str) -> None:
        self.page, self.base, self.axe_source = page, base, axe_source
        self.console: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", lambda message: self.console.append(message.text))

    def visit(self, path: str, status: int = 200) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == status, (path, response)
        self.check(path)

    def check(self, where: str) -> None:
        self.page.wait_for_load_state()
        assert self.page.locator("header.site-header").count() == 1, where
        assert self.page.locator("h1").count() == 1, where
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(self.axe_source)
        results = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [v for v in results["violations"] if v["impact"] in SERIOUS]
        assert serious == [], f"axe on {where}:\n" + readable(serious)
        assert self.page.evaluate("window.__cspViolations") == [], where
        self.no_policy_messages()

    def no_policy_messages(self) -> None:
        assert not [line for line in self.console if "Content Security Policy" in line], (
            self.console
        )

    def submit(self, selector: str = "main form.account-form button[type=submit]") -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()


def test_a_visitor_signs_up_and_signs_in_on_accessible_pages(
    live_server, page_factory, axe_source, settings
):
    settings.SOCIALACCOUNT_PROVIDERS = with_providers(settings.SOCIALACCOUNT_PROVIDERS)
    page = page_factory()
    checker = Checker(page, live_server.url, axe_source)
    for name in SIGNED_OUT:
        status = 401 if name == "socialaccount_login_error" else 200
        checker.visit(reverse(name), status)
    # allauth's confirmation page for a GET of a provider's sign-in URL.
    checker.visit(reverse("orcid_login") + "?process=login")

    checker.visit(reverse("account_login"))
    # A passkey that fails (here: cancelled) says so on the page, not only in the console.
    page.evaluate(
        "document.dispatchEvent(new CustomEvent('allauth.error', {cancelable: true, detail:"
        " {tags: ['mfa', 'webauthn'], exception: new DOMException('no', 'NotAllowedError')}}))"
    )
    assert "The passkey was not used" in page.locator("main [role=alert]").inner_text()
    assert page.get_by_role("button", name="Sign in with ORCID").count() == 1
    assert page.get_by_role("button", name="Sign in with GitHub").count() == 1
    screenshot(page, "account-sign-in")
    checker.visit(reverse("account_signup"))
    screenshot(page, "account-sign-up")

    # Errors are tied to their fields and announced.
    page.fill("#id_email", "newcomer@example.org")
    page.fill("#id_username", "newcomer")
    page.fill("#id_password1", "correct-horse-battery")
    page.fill("#id_password2", "a-different-passphrase")
    checker.submit()
    checker.check("sign-up with errors")
    assert page.locator("[role=alert]").count() >= 1
    described = page.get_attribute("#id_password2", "aria-describedby") or ""
    assert "id_password2_error" in described.split()
    assert page.locator("#id_password2_error").inner_text()

    # The ORCID button posts to our site, which sends the browser on to ORCID's authorisation
    # page: the policy's form-action lets that redirect through. ORCID is answered inside the
    # browser, through the DevTools protocol (Playwright's own routing skips redirects).
    stub_orcid(page)
    checker.visit(reverse("account_login"))
    with page.expect_navigation(url="https://orcid.org/oauth/authorize?**"):
        page.get_by_role("button", name="Sign in with ORCID").click()
    assert page.get_by_text("ORCID's sign-in page").count() == 1
    checker.no_policy_messages()


def stub_orcid(page: Any) -> None:
    cdp = page.context.new_cdp_session(page)
    body = base64.b64encode(b"<!doctype html><title>ORCID</title><p>ORCID's sign-in page</p>")

    def answer(event: dict[str, Any]) -> None:
        cdp.send(
            "Fetch.fulfillRequest",
            {
                "requestId": event["requestId"],
                "responseCode": 200,
                "responseHeaders": [{"name": "Content-Type", "value": "text/html"}],
                "body": body.decode(),
            },
        )

    cdp.on("Fetch.requestPaused", answer)
    cdp.send("Fetch.enable", {"patterns": [{"urlPattern": "https://orcid.org/*"}]})


def sign_in(checker: Checker, username: str) -> None:
    checker.visit(reverse("account_login"))
    checker.page.fill("#id_login", username)
    checker.page.fill("#id_password", PASSWORD)
    checker.submit()


def confirm_access(checker: Checker) -> None:
    checker.visit(reverse("account_reauthenticate"))
    checker.page.fill("#id_password", PASSWORD)
    checker.submit()


def test_a_member_turns_on_two_factor_and_passkeys_on_accessible_pages(
    live_server, page_factory, axe_source, settings
):
    settings.SOCIALACCOUNT_PROVIDERS = with_providers(settings.SOCIALACCOUNT_PROVIDERS)
    # live_server is http://localhost; passkeys accept it only in development (DEBUG).
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    member: User = make_user("member")
    page = page_factory()
    checker = Checker(page, live_server.url, axe_source)
    sign_in(checker, "member")
    checker.visit(reverse("account_logout"))
    confirm_access(checker)
    for name in [*MANAGE, *MFA_STEPS]:
        checker.visit(reverse(name))
    checker.visit(reverse("account_email"))
    screenshot(page, "account-email")
    checker.visit(reverse("account_reauthenticate"))

    # The authenticator app: the QR code shows (a data: image), the secret beside it.
    checker.visit(reverse("mfa_activate_totp"))
    qr = page.locator("img.qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.input_value("#authenticator_secret")
    screenshot(page, "account-authenticator-app")
    page.fill("#id_code", totp_code(secret))
    checker.submit()
    checker.check("after activating the authenticator app")
    for name in MANAGE_WITH_MFA:
        checker.visit(reverse(name))
    checker.visit(reverse("mfa_index"))
    screenshot(page, "account-two-factor")

    # A passkey, made by Chromium's virtual authenticator through allauth's scripts.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    checker.visit(reverse("mfa_add_webauthn"))
    page.fill("#id_name", "Test laptop")
    page.check("#id_passwordless")
    with page.expect_navigation():
        page.click("#mfa_webauthn_add")
    checker.check("after adding a passkey")
    checker.visit(reverse("mfa_list_webauthn"))
    assert page.get_by_text("Test laptop").count() == 1
    screenshot(page, "account-security-keys")
    key = Authenticator.objects.get(user=member, type=Authenticator.Type.WEBAUTHN)
    checker.visit(reverse("mfa_edit_webauthn", kwargs={"pk": key.pk}))
    checker.visit(reverse("mfa_remove_webauthn", kwargs={"pk": key.pk}))
    checker.visit(reverse("mfa_reauthenticate"))
    checker.visit(reverse("mfa_reauthenticate_webauthn"))

    # Signing in again: the password, then the second factor (a recovery code, then the
    # passkey; the app's code was spent on turning it on).
    page.context.clear_cookies()
    sign_in(checker, "member")
    assert page.url.endswith(reverse("mfa_authenticate"))
    checker.check("the second-factor step")
    page.fill("#id_code", recovery_code(member))
    checker.submit()
    assert page.locator("header").get_by_text("Sign out").count() == 1

    page.context.clear_cookies()
    sign_in(checker, "member")
    with page.expect_navigation():
        page.click("#mfa_webauthn_authenticate")
    assert page.locator("header").get_by_text("Sign out").count() == 1

    # And with the passkey alone, from the sign-in page.
    page.context.clear_cookies()
    checker.visit(reverse("account_login"))
    with page.expect_navigation():
        page.click("#passkey_login")
    assert page.locator("header").get_by_text("Sign out").count() == 1
    checker.no_policy_messages()


def test_the_pages_reached_by_a_mailed_link_are_accessible(live_server, page_factory, axe_source):
    """The address confirmation and the new-password page, opened from the mails' links."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str

    person = make_user("mailed")
    address = EmailAddress.objects.create(
        user=person, email="mailed-new@example.org", verified=False, primary=False
    )
    checker = Checker(page_factory(), live_server.url, axe_source)
    checker.visit(reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key]))
    assert checker.page.locator("main form button[type=submit]").count() == 1
    key = default_token_generator.make_token(person)
    uidb36 = user_pk_to_url_str(person)
    # The link's key moves into the session and the page is shown at a key-less address.
    checker.visit(reverse("account_reset_password_from_key", args=[uidb36, key]))
    assert checker.page.locator("#id_password1").count() == 1
