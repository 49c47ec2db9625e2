"""docs/deploy.md shows deploy/'s files exactly as they are, and the systemd units verify."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "deploy.md").read_text()
SHOWN = re.compile(
    r"<!-- file: (?P<path>\S+) -->\n```\w*\n(?P<body>.*?)```\n<!-- end file -->", re.S
)
SERVICES = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
UNITS = sorted([*SERVICES, *(ROOT / "deploy" / "systemd").glob("*.timer")])


def shown_files() -> dict[str, str]:
    return {match["path"]: match["body"] for match in SHOWN.finditer(DOC)}


def test_docs_show_every_systemd_unit():
    shown = shown_files()
    assert UNITS
    for unit in UNITS:
        assert str(unit.relative_to(ROOT)) in shown, f"docs/deploy.md does not show {unit.name}"


@pytest.mark.parametrize("path", sorted(shown_files()))
def test_what_the_docs_show_is_the_file_verbatim(path):
    assert shown_files()[path] == (ROOT / path).read_text(), (
        f"docs/deploy.md shows another {path}: copy the file between its markers"
    )


@pytest.mark.parametrize("unit", SERVICES, ids=lambda p: p.name)
def test_every_unit_runs_as_the_app_user_from_the_env_file_and_restarts(unit):
    text = unit.read_text()
    # A one-shot job (the backup) cannot restart always: it is tried again when it fails.
    restart = "Restart=on-failure" if "Type=oneshot" in text.splitlines() else "Restart=always"
    for line in ("User=shortscience", "EnvironmentFile=/etc/shortscience.env", restart):
        assert line in text.splitlines(), (unit.name, line)


def test_the_backup_timer_starts_the_backup_service_daily_and_catches_up():
    timer = (ROOT / "deploy" / "systemd" / "shortscience-backup.timer").read_text().splitlines()
    for line in (
        "OnCalendar=*-*-* 03:17:00",
        "Persistent=true",
        "Unit=shortscience-backup.service",
    ):
        assert line in timer
    service = (ROOT / "deploy" / "systemd" / "shortscience-backup.service").read_text()
    assert "ExecStart=/srv/shortscience/.venv/bin/python -m shortscience.manage backup" in service


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units():
    done = subprocess.run(  # noqa: S603 -- our own unit files
        ["systemd-analyze", "verify", "--man=no", *map(str, UNITS)],  # noqa: S607 -- a system tool
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # The units name /srv/shortscience/.venv, which a development machine does not have.
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and "is not executable: No such file or directory" not in line
    ]
    assert not problems, problems
