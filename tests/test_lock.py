"""The lock files in requirements/ agree with pyproject.toml (no network: text only).

`make run`, `make test` and the container image install from these files with
`--require-hashes`, so a dependency bumped in pyproject.toml without `make lock` would
silently install the old version; these tests say so instead.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "requirements"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)")


def read_lock(name: str) -> dict[str, tuple[str, list[str]]]:
    """Maps each canonical package name to (version, hashes) as the lock file pins it."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current: str | None = None
    for line in (LOCKS / name).read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match["name"])
            pins[current] = (match["version"], [])
        elif current and line.strip().startswith("--hash="):
            pins[current][1].append(line.strip().removeprefix("--hash=").rstrip(" \\"))
        elif line and not line.startswith((" ", "#")):
            raise AssertionError(f"{name}: a line that is neither a pin nor a comment: {line!r}")
    return pins


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pinned(requirements: list[str]) -> dict[str, str]:
    """pyproject.toml pins each direct dependency with ==; returns name -> version."""
    versions: dict[str, str] = {}
    for text in requirements:
        requirement = Requirement(text)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", (
            f"pyproject.toml must pin {text!r} with == (the lock follows it)"
        )
        versions[canonicalize_name(requirement.name)] = specifiers[0].version
    return versions


RUNTIME = pinned(pyproject()["project"]["dependencies"])
DEV = pinned(pyproject()["project"]["optional-dependencies"]["dev"])


@pytest.mark.parametrize("name", sorted(RUNTIME))
def test_every_runtime_dependency_is_locked_at_the_pyproject_version(name):
    lock = read_lock("runtime.txt")
    assert name in lock, f"{name} is missing from requirements/runtime.txt: run `make lock`"
    assert lock[name][0] == RUNTIME[name], (
        f"{name}: pyproject.toml says {RUNTIME[name]}, requirements/runtime.txt {lock[name][0]}:"
        " run `make lock`"
    )


@pytest.mark.parametrize("name", sorted(RUNTIME | DEV))
def test_every_dev_and_runtime_dependency_is_locked_in_the_dev_lock(name):
    lock = read_lock("dev.txt")
    wanted = (RUNTIME | DEV)[name]
    assert name in lock, f"{name} is missing from requirements/dev.txt: run `make lock`"
    assert lock[name][0] == wanted, f"{name}: {wanted} wanted, dev.txt has {lock[name][0]}"


@pytest.mark.parametrize("name", ["bootstrap.txt", "runtime.txt", "dev.txt"])
def test_every_pin_carries_sha256_hashes(name):
    lock = read_lock(name)
    assert lock
    for package, (_version, hashes) in lock.items():
        assert hashes, f"{name}: {package} has no --hash (pip --require-hashes would refuse it)"
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), (package, hashes)


def test_packages_in_several_locks_have_one_version():
    dev = read_lock("dev.txt")
    for name in ("bootstrap.txt", "runtime.txt"):
        for package, (version, _hashes) in read_lock(name).items():
            if package in dev:
                assert dev[package][0] == version, (name, package, version, dev[package][0])


def test_the_runtime_lock_holds_nothing_dev_only():
    runtime = read_lock("runtime.txt")
    for name in DEV:
        assert name not in runtime, f"{name} is a dev tool but is in requirements/runtime.txt"


def test_the_bootstrap_lock_satisfies_the_build_system():
    bootstrap = read_lock("bootstrap.txt")
    assert "pip" in bootstrap
    for text in pyproject()["build-system"]["requires"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in bootstrap, f"build requirement {text!r} is not in requirements/bootstrap.txt"
        version = Version(bootstrap[name][0])
        assert version in SpecifierSet(str(requirement.specifier)), (text, version)
