"""Every environment variable the settings read is documented in docs/configuration.md, and the
site refuses to start with DEBUG off on the development secret key."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def variables_read() -> set[str]:
    source = (ROOT / "shortscience" / "settings.py").read_text()
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
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOW_DEV_SECRET_KEY", "DEBUG"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "shortscience.settings"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is the built-in development key" in result.stderr
    env["SECRET_KEY"] = "x" * 50
    ok = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
