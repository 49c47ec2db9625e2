"""`serve` (what `make run` runs): links point at the address it serves, metrics gather in one
directory, and a public address is refused with the development key or the demo staff password
unless ALLOW_PUBLIC_DEMO says so. The servers themselves are not started: run_together is
replaced by a recorder (these tests are about what it would start, and with what)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shortscience.management.commands import serve
from shortscience.models import User
from shortscience.services.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent
STRONG_KEY = "k" * 20 + "-not-the-development-key-" + "x" * 20


@pytest.fixture
def started(db, monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    settings.PROMETHEUS_MULTIPROC_DIR = ""
    settings.ALLOW_PUBLIC_DEMO = False
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("ALLOW_PUBLIC_DEMO", raising=False)
    calls: list[tuple[list[list[str]], dict[str, str]]] = []

    def record(commands, env=None):
        calls.append((commands, env))
        return 0

    monkeypatch.setattr(serve, "run_together", record)
    return calls


def run_serve(host: str, port: str = "9123", **options) -> None:
    with pytest.raises(SystemExit) as stopped:
        call_command("serve", host=host, port=port, no_demo=True, no_worker=True, **options)
    assert stopped.value.code == 0


def bound_address(started) -> str:
    [(commands, _)] = started
    server = commands[0]
    return server[server.index("--bind") + 1]


def test_site_url_follows_the_address_served(started):
    run_serve("127.0.0.1", "9123")
    [(_, env)] = started
    assert env["SITE_URL"] == "http://127.0.0.1:9123"
    assert bound_address(started) == "127.0.0.1:9123"


@pytest.mark.parametrize(("platform", "spread"), [("linux", True), ("darwin", False)])
def test_linux_workers_each_listen_on_their_own_socket(started, monkeypatch, platform, spread):
    """Linux spreads connections over the workers' sockets (`--reuse-port`); macOS would hand
    one socket every connection, so there the workers share one, as gunicorn's default."""
    monkeypatch.setattr(sys, "platform", platform)
    run_serve("127.0.0.1")
    [(commands, _)] = started
    assert ("--reuse-port" in commands[0]) is spread


def test_an_explicit_site_url_is_kept(started, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://shortscience.example.org")
    run_serve("127.0.0.1")
    [(_, env)] = started
    assert env["SITE_URL"] == "https://shortscience.example.org"


def test_ipv6_loopback_is_bound_and_linked_in_brackets(started):
    run_serve("::1", "9124")
    [(_, env)] = started
    assert bound_address(started) == "[::1]:9124"
    assert env["SITE_URL"] == "http://[::1]:9124"


def test_metrics_of_earlier_runs_are_cleared_and_the_directory_passed_on(started, tmp_path):
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_123.db").write_bytes(b"old")
    run_serve("127.0.0.1")
    [(_, env)] = started
    assert env["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "metrics")
    assert list((tmp_path / "metrics").iterdir()) == []


def test_a_public_address_with_the_development_key_is_refused(started):
    with pytest.raises(CommandError) as refused:
        call_command("serve", host="0.0.0.0", port="9123", no_demo=True)  # noqa: S104 -- the case under test
    message = str(refused.value)
    assert "Refusing to serve on 0.0.0.0:9123" in message
    assert "SECRET_KEY" in message
    assert "ALLOW_PUBLIC_DEMO=1" in message
    assert started == []


def test_a_public_address_that_would_load_the_demo_staff_account_is_refused(started, settings):
    settings.SECRET_KEY = STRONG_KEY
    with pytest.raises(CommandError) as refused:
        call_command("serve", host="192.0.2.10", port="9123")
    message = str(refused.value)
    assert "'editor'" in message and "SECRET_KEY" not in message
    assert "changepassword editor" in message and "--no-demo" in message
    assert started == []
    assert not User.objects.filter(username="editor").exists()


def test_an_existing_staff_account_with_the_demo_password_is_refused_too(started, settings):
    settings.SECRET_KEY = STRONG_KEY
    User.objects.create_user(username="editor", password=DEMO_PASSWORD, is_staff=True)
    with pytest.raises(CommandError, match="'editor'"):
        call_command("serve", host="0.0.0.0", port="9123", no_demo=True)  # noqa: S104 -- the case under test
    assert started == []


def test_a_public_site_with_its_own_key_and_passwords_starts(started, settings):
    settings.SECRET_KEY = STRONG_KEY
    User.objects.create_user(username="editor", password="a-changed-password", is_staff=True)
    run_serve("0.0.0.0")  # noqa: S104 -- the case under test
    assert bound_address(started) == "0.0.0.0:9123"


def test_allow_public_demo_opts_in_explicitly(started, settings):
    settings.ALLOW_PUBLIC_DEMO = True
    run_serve("0.0.0.0")  # noqa: S104 -- the case under test
    assert bound_address(started) == "0.0.0.0:9123"


def test_the_allow_public_demo_flag_opts_in_too(started):
    run_serve("0.0.0.0", allow_public_demo=True)  # noqa: S104 -- the case under test
    assert bound_address(started) == "0.0.0.0:9123"


def test_loopback_addresses_are_recognised():
    for host in ("127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost"):
        assert serve.is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.0.2.10", "example.org"):  # noqa: S104 -- test data
        assert not serve.is_loopback(host), host


def test_settings_default_site_url_to_the_makefiles_host_and_port():
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    code = "from django.conf import settings; print(settings.SITE_URL)"
    for extra, expected in (
        ({"HOST": "127.0.0.1", "PORT": "9000"}, "http://127.0.0.1:9000"),
        ({}, "http://127.0.0.1:8000"),
        ({"HOST": "::1", "PORT": "8001"}, "http://[::1]:8001"),
    ):
        clean = {k: v for k, v in env.items() if k not in ("HOST", "PORT")}
        done = subprocess.run(  # noqa: S603 -- our own interpreter running our own snippet
            [sys.executable, "-c", code],
            env={**clean, "DJANGO_SETTINGS_MODULE": "shortscience.settings", **extra},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert done.stdout.strip() == expected, done.stderr
