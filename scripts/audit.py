"""`make audit`: known vulnerabilities in the locked versions (docs/decisions/0013).

Runs pip-audit on requirements/{bootstrap,runtime,dev}.txt without installing anything and
decides what CI does with its answer:

- a vulnerability not listed in requirements/audit-ignore.txt: exit 1, with what to bump;
- the service could not be asked (no network, timeout, service error): a WARNING, exit 0;
- packages the service did not know: listed in a WARNING, exit 0 (pip-audit alone would say
  "No known vulnerabilities found" even when it looked up nothing).

Standard library only: CI may run it before anything else is installed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = [ROOT / "requirements" / name for name in ("bootstrap.txt", "runtime.txt", "dev.txt")]
IGNORE_FILE = ROOT / "requirements" / "audit-ignore.txt"


@dataclass
class Verdict:
    exit_code: int
    lines: list[str]


def read_ignored(text: str) -> dict[str, str]:
    """`ID  # reason` per line; an id without a reason is refused, so every exemption says why."""
    ignored = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _, reason = line.partition("#")
        if not reason.strip():
            raise SystemExit(f"{IGNORE_FILE.name}:{number}: {vuln_id.strip()} needs '# reason'")
        ignored[vuln_id.strip()] = reason.strip()
    return ignored


def judge(report: dict | None, stderr: str, returncode: int) -> Verdict:
    """What CI does with one pip-audit run: its JSON report (None when it wrote none)."""
    if report is None:
        cause = next((ln for ln in reversed(stderr.strip().splitlines()) if ln.strip()), "")
        return Verdict(
            0,
            [
                "WARNING: dependency audit not done: pip-audit could not ask its vulnerability "
                f"service (exit {returncode}): {cause or 'no output'}",
                "WARNING: this does not fail CI; run `make audit` again when the network is back.",
            ],
        )
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            lines.append(
                f"VULNERABLE: {dependency['name']}=={dependency['version']}: {vuln['id']}"
                + (f" ({aliases})" if aliases else "")
                + f"; fixed in: {fixes}"
            )
    if vulnerable:
        lines.append(
            'Bump it: `make lock LOCK_ARGS="--upgrade-package NAME"` (and pyproject.toml for a '
            "direct dependency), or list the id in requirements/audit-ignore.txt with a reason."
        )
    if skipped and audited:
        names = ", ".join(sorted(d["name"] for d in skipped))
        lines.append(
            f"WARNING: {len(skipped)} of {len(dependencies)} locked packages could not be audited "
            f"(the service did not know them or could not be asked): {names}"
        )
    elif skipped:
        lines.append(
            f"WARNING: dependency audit not done: none of the {len(skipped)} locked packages was "
            f"looked up; the service said, for example: {skipped[0]['skip_reason']}"
        )
    count = sum(len(d["vulns"]) for d in vulnerable)
    lines.append(
        f"audit: {len(audited)} packages audited, {len(skipped)} not audited, "
        f"{count} known vulnerabilities"
    )
    return Verdict(1 if vulnerable else 0, lines)


def run(pip_audit: str, extra: list[str]) -> Verdict:
    ignored = read_ignored(IGNORE_FILE.read_text()) if IGNORE_FILE.exists() else {}
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "audit.json"
        command = [pip_audit, "--disable-pip", "--require-hashes", "--progress-spinner", "off"]
        command += ["--timeout", "20", "--desc", "off", "--aliases", "on"]
        for lock in LOCKS:
            command += ["-r", str(lock)]
        for vuln_id in ignored:
            command += ["--ignore-vuln", vuln_id]
        command += ["--format", "json", "-o", str(output), *extra]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603 -- our own argv
        except subprocess.TimeoutExpired:
            return judge(None, "pip-audit took longer than 600 s", -1)
        report = None
        if output.exists() and output.stat().st_size:
            try:
                report = json.loads(output.read_text())
            except json.JSONDecodeError:
                report = None
    verdict = judge(report, done.stderr, done.returncode)
    for vuln_id, reason in ignored.items():
        verdict.lines.insert(0, f"ignored: {vuln_id} ({reason})")
    return verdict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip-audit", default="pip-audit", help="the pip-audit executable")
    args, extra = parser.parse_known_args()
    verdict = run(args.pip_audit, extra)
    print("\n".join(verdict.lines))
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main())
