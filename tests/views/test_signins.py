"""Failed sign-ins at /accounts/login/ are limited per network and per account on a network,
and slow down, never lock, an account under attack: its owner's known devices sign in at once
(services/signins.py, docs/accounts.md "Sign-in limits")."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from shortscience.services import signins
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # tests/factories.py
WRONG = "not-the-password-at-all"


class Clock:
    """The service's clock, moved by hand: waiting is a line, not a sleep."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    import time

    clock = Clock(time.time())
    monkeypatch.setattr(signins, "time", clock)
    return clock


def sign_in(client: Client, login: str, password: str, ip: str = "127.0.0.1", **extra):
    return client.post(
        reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=ip, **extra
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def known_device(login: str, ip: str = "127.0.0.1") -> Client:
    """A browser the owner has signed in with, then signed out of: it keeps its device cookie."""
    device = Client()
    assert sign_in(device, login, PASSWORD, ip).status_code == 302
    assert signins.DEVICE_COOKIE in device.cookies
    device.post(reverse("account_logout"), REMOTE_ADDR=ip)
    assert not signed_in(device)
    return device


def test_password_spraying_from_one_network_is_refused_even_for_an_account_not_tried(settings):
    # allauth's own limit on sign-in posts (30 a minute per IP, failed or not) would answer
    # first, without Retry-After: this test is about failures.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "100/m/ip"}
    users = [make_user() for _ in range(30)]
    sprayer = Client()
    answers = [sign_in(sprayer, user.username, WRONG) for user in users]
    assert [a.status_code for a in answers[:20]] == [200] * 20
    assert "not correct" in answers[0].content.decode()
    refused = answers[20:]
    assert [a.status_code for a in refused] == [429] * 10
    # A full window waits for its end and for one of its failures to slide out.
    assert all(0 < int(a["Retry-After"]) <= 600 + 600 // 20 for a in refused)
    assert "Too many failed sign-ins from your network" in refused[0].content.decode()
    assert 'name="login"' in refused[0].content.decode()  # the form again, with the reason
    # A new account, even with its right password: judged before the password is checked.
    newcomer = make_user()
    late = Client()
    assert sign_in(late, newcomer.username, PASSWORD).status_code == 429
    assert not signed_in(late)
    # Another network is not affected.
    assert sign_in(late, newcomer.username, PASSWORD, ip="10.7.7.7").status_code == 302


def test_a_refusal_reads_the_same_whether_the_account_exists_or_not(settings):
    settings.SIGNIN_LIMITS = {**settings.SIGNIN_LIMITS, "ip": "2/600"}
    make_user("existing")
    client = Client()
    sign_in(client, "existing", WRONG)
    sign_in(client, "nobody-by-this-name", WRONG)
    pages = set()
    for login, password in (("existing", PASSWORD), ("existing", WRONG), ("nobody", WRONG)):
        refused = sign_in(client, login, password)
        assert refused.status_code == 429
        assert "Too many failed sign-ins from your network" in refused.content.decode()
        # The page differs only in what was typed, the per-request tokens and how long is left
        # to wait (a second may pass between the attempts on a slow machine).
        page = re.sub(r'(value|nonce)="[^"]*"', "", refused.content.decode())
        pages.add(re.sub(r"Try again in [^.<]*", "Try again in ...", page))
    assert len(pages) == 1


def test_correct_passwords_are_not_counted_against_the_network(settings):
    settings.SIGNIN_LIMITS = {**settings.SIGNIN_LIMITS, "ip": "3/600"}
    for user in [make_user() for _ in range(5)]:
        assert sign_in(Client(), user.username, PASSWORD).status_code == 302
    owner = make_user()
    client = Client()
    assert [sign_in(client, owner.username, WRONG).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]


def test_a_stranger_cannot_lock_the_owner_out(clock):
    make_user("owner")
    device = known_device("owner")
    stranger = Client()
    answers = [
        sign_in(stranger, "owner", WRONG, ip=f"10.0.0.{n}") for n in (1, 2, 3) for _ in range(5)
    ]
    # Ten failures, then the stranger's device waits (30 s: SIGNIN_DELAY_SECONDS).
    assert [a.status_code for a in answers] == [200] * 10 + [429] * 5
    assert answers[-1]["Retry-After"] == "30"

    # The owner's own device signs in at once, from home or anywhere.
    assert sign_in(device, "owner", PASSWORD).status_code == 302
    assert signed_in(device)

    # On a new device the owner waits, is told how long, and is then let in: no lock.
    laptop = Client()
    wait = sign_in(laptop, "owner", PASSWORD, ip="192.0.2.44")
    assert wait.status_code == 429 and not signed_in(laptop)
    assert 0 < int(wait["Retry-After"]) <= 30
    assert "A device you have signed in with before can sign in now" in wait.content.decode()
    clock.advance(int(wait["Retry-After"]))
    assert sign_in(laptop, "owner", PASSWORD, ip="192.0.2.44").status_code == 302
    assert signed_in(laptop)


def test_the_wait_doubles_with_each_failure_up_to_its_cap(clock, settings):
    settings.SIGNIN_DELAY_AFTER = 2
    settings.SIGNIN_LIMITS = {"ip": "1000/600", "account_ip": "1000/600"}
    make_user("target")
    stranger = Client()
    assert [sign_in(stranger, "target", WRONG).status_code for _ in range(2)] == [200, 200]
    waits = []
    for _ in range(6):
        refused = sign_in(stranger, "target", WRONG)
        assert refused.status_code == 429
        waits.append(int(refused["Retry-After"]))
        clock.advance(waits[-1])
        assert sign_in(stranger, "target", WRONG).status_code == 200
    assert waits == [30, 60, 120, 240, 300, 300]


def test_the_sixth_wrong_password_from_one_network_is_refused_and_another_network_is_not():
    make_user("owner")
    client = Client()
    answers = [sign_in(client, "owner", WRONG, ip="10.0.0.1") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 300 + 300 // 5
    assert "to this account from your network" in answers[-1].content.decode()
    elsewhere = Client()
    assert sign_in(elsewhere, "owner", WRONG, ip="10.0.0.2").status_code == 200
    assert sign_in(elsewhere, "owner", PASSWORD, ip="10.0.0.2").status_code == 302


def test_a_known_device_is_still_held_to_the_account_limit_on_its_network():
    make_user("owner")
    device = known_device("owner")
    answers = [sign_in(device, "owner", WRONG) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]


def test_a_successful_sign_in_starts_the_count_on_that_network_again():
    make_user("owner")
    client = Client()
    for _ in range(4):
        sign_in(client, "owner", WRONG)
    assert sign_in(client, "owner", PASSWORD).status_code == 302
    client.post(reverse("account_logout"))
    answers = [sign_in(client, "owner", WRONG) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]


def test_a_known_device_signs_in_while_its_network_is_refused(settings):
    # A shared network (a campus, a cafe): someone there sprays passwords.
    settings.SIGNIN_LIMITS = {**settings.SIGNIN_LIMITS, "ip": "3/600"}
    make_user("owner")
    device = known_device("owner")
    sprayer = Client()
    for _ in range(4):
        sign_in(sprayer, f"victim{_}", WRONG)
    assert sign_in(Client(), "owner", PASSWORD).status_code == 429
    assert sign_in(device, "owner", PASSWORD).status_code == 302


def test_a_device_cookie_only_helps_the_account_it_signed_in_to():
    make_user("owner")
    make_user("other")
    others_device = known_device("other")
    for n in (1, 2):
        for _ in range(5):
            sign_in(Client(), "owner", WRONG, ip=f"10.0.0.{n}")
    assert sign_in(others_device, "owner", PASSWORD).status_code == 429
    forged = Client()
    forged.cookies[signins.DEVICE_COOKIE] = "a-value-we-did-not-sign"
    assert sign_in(forged, "owner", PASSWORD).status_code == 429


def test_the_device_cookie_is_signed_http_only_and_sent_to_account_pages_only():
    make_user("owner")
    device = Client()
    sign_in(device, "owner", PASSWORD)
    cookie = device.cookies[signins.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/accounts/"
    assert int(cookie["max-age"]) == 365 * 86400
    assert "owner" not in cookie.value


def test_a_password_reset_lifts_the_wait():
    make_user("owner")
    for n in (1, 2):
        for _ in range(5):
            sign_in(Client(), "owner", WRONG, ip=f"10.0.0.{n}")
    laptop = Client()
    assert sign_in(laptop, "owner", PASSWORD, ip="192.0.2.44").status_code == 429
    laptop.post(reverse("account_reset_password"), {"email": "owner@example.org"})
    link = re.search(r"https?://testserver(\S+)", str(mail.outbox[-1].body))
    assert link
    form = laptop.get(link.group(1))
    form_url = form["Location"] if form.status_code == 302 else link.group(1)
    new = "a-brand-new-passphrase"
    done = laptop.post(form_url, {"password1": new, "password2": new})
    assert done.status_code == 302
    assert sign_in(laptop, "owner", new, ip="192.0.2.44").status_code == 302


def test_a_json_caller_gets_the_refusal_as_json_with_retry_after():
    make_user("owner")
    client = Client()
    for _ in range(5):
        sign_in(client, "owner", WRONG)
    refused = sign_in(client, "owner", WRONG, HTTP_ACCEPT="application/json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    errors = refused.json()["form"]["errors"]
    assert any("to this account from your network" in error for error in errors)
