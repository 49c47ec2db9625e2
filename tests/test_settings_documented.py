"""Every environment variable the settings read is documented in docs/configuration.md, and the
site refuses to start with DEBUG off on the development secret key."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def variables_read() -> set[str]:
    source = "".join(
        (ROOT / "shortscience" / name).read_text()
        for name in ("settings.py", "settings_accounts.py")
    )
    found = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))
    assert "DATABASE_URL" in found
    assert "SECRET_KEY" in found
    return found


def test_every_setting_read_from_the_environment_is_documented():
    documented = set(
        re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "docs/configuration.md").read_text(), re.M)
    )
    assert variables_read() - documented == set()


def test_the_site_refuses_the_development_key_with_debug_off():
    unset = {"SECRET_KEY": "", "ALLOW_DEV_SECRET_KEY": "0", "DEBUG": "0"}
    refused = run_settings({**unset, "SECRET_KEY": "insecure-dev-key-only-for-local-use"}, "")
    assert refused.returncode != 0
    assert "SECRET_KEY is the built-in development key" in refused.stderr
    assert run_settings({**unset, "SECRET_KEY": "x" * 50}, "").returncode == 0


def run_settings(extra: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shortscience.settings", **extra}
    return subprocess.run(  # noqa: S603 -- our own interpreter running our own test snippet
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_redis_url_gives_a_shared_cache_for_several_app_processes():
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        import pytest

        pytest.skip("no Redis on 127.0.0.1:6379")
    code = (
        "from django.core.cache import cache\n"
        "from django.conf import settings\n"
        "assert settings.CACHES['default']['BACKEND'].endswith('RedisCache')\n"
        "cache.set('shortscience-test', 42, 5)\n"
        "print(cache.get('shortscience-test'))\n"
    )
    result = run_settings({"REDIS_URL": "redis://127.0.0.1:6379/15", "CACHE_URL": ""}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "42"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    code = (
        "from django.db import connection\n"
        "cursor = connection.cursor()\n"
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0],"
        " cursor.execute('PRAGMA foreign_keys').fetchone()[0])\n"
    )
    result = run_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "1"]


def production_env() -> dict[str, str]:
    """The environment file shown in docs/deploy.md, placeholders filled in."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    block = text.split("## 2. Environment", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    env = {}
    for line in block.strip().splitlines():
        key, _, value = line.partition("=")
        env[key] = re.sub(r"<[^>]*>", "placeholder", value)
    env["SECRET_KEY"] = "".join(chr(33 + (i * 7) % 90) for i in range(60))
    env["DATABASE_URL"] = "sqlite:////tmp/deploy-check.sqlite3"
    return env


def test_the_documented_production_settings_pass_check_deploy():
    env = production_env()
    assert env["DEBUG"] == "0"
    assert {"SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS"} <= set(env)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shortscience.manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; production never does.
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "ALLOW_DEV_SECRET_KEY": "0",
            **env,
        },
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_carry_the_security_headers(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("style-src-attr")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
