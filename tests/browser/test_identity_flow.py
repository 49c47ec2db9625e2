"""Identity in a real browser (issue 11): signing up with ORCID through a local stand-in for
ORCID's endpoints, which serves the recorded responses of tests/data/accounts/; and two-factor
with TOTP: enrol (the code computed here, as an authenticator app would), sign out, sign in
with a code, use a recovery code once and see it refused twice."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.socialaccount.providers.orcid.views import OrcidOAuth2Adapter
from django.core import mail

from shortscience.models import User
from tests.account_pages import totp_code
from tests.browser.conftest import screenshot
from tests.browser.test_writing_flow import sign_in
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).parent.parent / "data" / "accounts"
ORCID_ID = "0000-0002-1825-0097"


class _StandIn(BaseHTTPRequestHandler):
    """ORCID's three endpoints as allauth uses them: the authorize page (here it approves at
    once and sends the browser back with a code), the token and the public record."""

    calls: list[str] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.calls.append(f"GET {url.path}")
        if url.path == "/oauth/authorize":
            query = parse_qs(url.query)
            back = (
                query["redirect_uri"][0]
                + "?"
                + urlencode({"code": "stand-in-code", "state": query["state"][0]})
            )
            self.send_response(302)
            self.send_header("Location", back)
            self.end_headers()
        elif url.path == f"/v3.0/{ORCID_ID}/record":
            self._json("orcid_record.json")
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        self.calls.append(f"POST {self.path}")
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/oauth/token":
            self._json("orcid_token.json")
        else:
            self.send_error(404)

    def _json(self, name: str) -> None:
        body = (DATA / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def orcid_stand_in(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_StandIn]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    # allauth builds these from ORCID_BASE_DOMAIN (https only); the test points them here.
    monkeypatch.setattr(OrcidOAuth2Adapter, "authorize_url", f"{base}/oauth/authorize")
    monkeypatch.setattr(OrcidOAuth2Adapter, "access_token_url", f"{base}/oauth/token")
    monkeypatch.setattr(OrcidOAuth2Adapter, "profile_url", f"{base}/v3.0/%s/record")
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "orcid": {
            **settings.SOCIALACCOUNT_PROVIDERS["orcid"],
            "APPS": [{"client_id": "APP-STANDIN", "secret": "stand-in-secret"}],
        },
    }
    _StandIn.calls = []
    yield _StandIn
    server.shutdown()
    server.server_close()
    thread.join()


def test_signing_up_with_orcid_gives_a_profile_with_a_verified_orcid(
    live_server: Any, page_factory: Any, orcid_stand_in: type[_StandIn]
) -> None:
    base = live_server.url
    page = page_factory()
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name=re.compile("Sign in with ORCID")).click()
    page.wait_for_load_state()
    if "/accounts/orcid/login/" in page.url:  # allauth's "continue to ORCID" confirmation
        page.locator("main form button, main form [type=submit]").first.click()
    # Back from the stand-in: ORCID gives no e-mail, so the sign-up form asks for one.
    page.wait_for_url("**/accounts/3rdparty/signup/")
    page.fill("input[name=email]", "josiah@brown.example")
    page.fill("input[name=username]", "carberry")
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()
    assert orcid_stand_in.calls == [
        "GET /oauth/authorize",
        "POST /oauth/token",
        f"GET /v3.0/{ORCID_ID}/record",
    ]
    person = User.objects.get(username="carberry")
    assert person.orcid == ORCID_ID and person.orcid_verified

    # The address is confirmed from the mail, which signs the new member in.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", str(mail.outbox[-1].body))
    assert link, mail.outbox[-1].body
    page.goto(base + urlparse(link.group(0)).path)
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{base}/users/carberry/")
    orcid = page.locator(".orcid.verified")
    assert ORCID_ID in orcid.inner_text() and "verified" in orcid.inner_text().lower()
    assert page.locator(f".orcid.verified a[href='https://orcid.org/{ORCID_ID}']").count() == 1
    assert "Josiah Carberry" in page.locator("h1").inner_text()
    screenshot(page, "orcid-verified-profile")


def _submit(page: Any) -> None:
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()


def _sign_out(page: Any) -> None:
    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()


def test_totp_enrol_sign_in_with_a_code_and_a_recovery_code_that_works_once(
    live_server: Any, page_factory: Any
) -> None:
    base = live_server.url
    member = make_user("twofactor")
    page = page_factory()
    sign_in(page, base, member.username)
    page.goto(f"{base}/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:  # allauth asks for the password again first
        page.fill("input[name=password]", PASSWORD)
        _submit(page)
    assert "/accounts/2fa/totp/activate/" in page.url, page.url
    screenshot(page, "totp-activate")
    # The page shows the secret as text too, for apps that cannot scan the QR code.
    values = page.eval_on_selector_all("main input", "inputs => inputs.map(i => i.value)")
    shown = " ".join([page.locator("main").inner_text(), *values])
    secret = re.search(r"\b[A-Z2-7]{32}\b", shown)
    assert secret, shown
    page.fill("input[name=code]", totp_code(secret.group(0)))
    _submit(page)
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    codes = RecoveryCodes(
        Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()

    _sign_out(page)
    sign_in(page, base, member.username)
    assert "/accounts/2fa/authenticate/" in page.url, page.url
    page.fill("input[name=code]", totp_code(secret.group(0)))
    _submit(page)
    assert "/accounts/2fa/" not in page.url
    assert page.locator("header a[href='/users/twofactor/']").count() == 1

    _sign_out(page)
    sign_in(page, base, member.username)
    page.fill("input[name=code]", codes[0])
    _submit(page)
    assert page.locator("header a[href='/users/twofactor/']").count() == 1

    _sign_out(page)
    sign_in(page, base, member.username)
    for attempt in range(2):  # the same code again, on the page that asks for one
        page.fill("input[name=code]", codes[0])
        _submit(page)
        assert "/accounts/2fa/authenticate/" in page.url, (attempt, page.url)
        assert page.locator("header a[href='/users/twofactor/']").count() == 0
    screenshot(page, "totp-recovery-code-refused")
    assert "incorrect code" in page.locator("main").inner_text().lower()
