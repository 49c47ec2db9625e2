"""scripts/audit.py (`make audit`): what CI does with pip-audit's answer, from recorded reports."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "pip-audit"
spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit.py")
assert spec and spec.loader
audit = importlib.util.module_from_spec(spec)
sys.modules["audit"] = audit  # dataclasses look their module up there
spec.loader.exec_module(audit)


def report(name):
    return json.loads((DATA / name).read_text())


def test_a_known_vulnerability_fails_and_says_what_to_bump():
    verdict = audit.judge(report("one-vulnerable.json"), "", 1)
    assert verdict.exit_code == 1
    text = "\n".join(verdict.lines)
    assert "VULNERABLE: django==5.2.19: PYSEC-0000-0001 (CVE-0000-00001); fixed in: 5.2.20" in text
    assert "make lock" in text
    assert "1 of 3 locked packages could not be audited" in text


def test_a_clean_report_passes_without_a_warning():
    verdict = audit.judge(report("clean.json"), "", 0)
    assert verdict.exit_code == 0
    assert not any("WARNING" in line for line in verdict.lines)
    assert verdict.lines[-1] == "audit: 2 packages audited, 0 not audited, 0 known vulnerabilities"


def test_a_report_where_nothing_was_looked_up_warns_instead_of_claiming_clean():
    verdict = audit.judge(report("all-skipped.json"), "", 0)
    assert verdict.exit_code == 0
    assert verdict.lines[0].startswith(
        "WARNING: dependency audit not done: none of the 3 locked packages was looked up"
    )
    assert "Dependency not found on PyPI" in verdict.lines[0]


def test_an_unreachable_service_warns_and_does_not_fail():
    stderr = (DATA / "offline-stderr.txt").read_text()
    verdict = audit.judge(None, stderr, 1)
    assert verdict.exit_code == 0
    assert verdict.lines[0].startswith("WARNING: dependency audit not done")
    assert "Failed to resolve" in verdict.lines[0]


def test_every_ignored_vulnerability_needs_a_reason():
    assert audit.read_ignored("# comment\nPYSEC-1  # not reachable: we never parse X\n") == {
        "PYSEC-1": "not reachable: we never parse X"
    }
    with pytest.raises(SystemExit):
        audit.read_ignored("PYSEC-2\n")


def test_the_ignore_file_parses():
    assert isinstance(audit.read_ignored(audit.IGNORE_FILE.read_text()), dict)
