"""Sentry: initialised with the Django integration and no personal data when SENTRY_DSN is set,
never imported when it is not. sentry_sdk.init is replaced, so nothing reaches the network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent


def test_init_sends_no_personal_data_and_uses_the_django_integration():
    from sentry_sdk.integrations.django import DjangoIntegration

    from shortscience import sentry

    with mock.patch("sentry_sdk.init") as init:
        sentry.init(
            dsn="https://key@sentry.example.org/1",
            environment="staging",
            release="shortscience@1.2.3",
            traces_sample_rate=0.1,
        )
    options = init.call_args.kwargs
    assert options["send_default_pii"] is False
    assert options["dsn"] == "https://key@sentry.example.org/1"
    assert options["environment"] == "staging"
    assert options["release"] == "shortscience@1.2.3"
    assert options["traces_sample_rate"] == 0.1
    assert [type(i) for i in options["integrations"]] == [DjangoIntegration]


def settings_in_subprocess(code: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env = {**env, "DJANGO_SETTINGS_MODULE": "shortscience.settings", **extra}
    return subprocess.run(  # noqa: S603 -- our own interpreter running our own snippet
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )


def test_settings_start_sentry_with_environment_and_release_from_settings():
    code = (
        "import json\n"
        "from unittest import mock\n"
        "with mock.patch('sentry_sdk.init') as init:\n"
        "    import django; django.setup()\n"
        "options = dict(init.call_args.kwargs)\n"
        "options.pop('integrations')\n"
        "print(json.dumps(options))\n"
    )
    done = settings_in_subprocess(
        code, SENTRY_DSN="https://key@sentry.example.org/1", SENTRY_ENVIRONMENT="staging"
    )
    assert done.returncode == 0, done.stderr
    options = json.loads(done.stdout)
    assert options["environment"] == "staging"
    assert options["release"].startswith("shortscience@")
    assert options["send_default_pii"] is False
    assert options["traces_sample_rate"] == 0.0


def test_without_a_dsn_sentry_is_never_imported():
    code = (
        "import sys, django; django.setup()\n"
        "from django.test import Client\n"
        "Client().get('/healthz')\n"
        "print('sentry_sdk' in sys.modules)\n"
    )
    done = settings_in_subprocess(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
