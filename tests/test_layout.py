"""How the test tree is written: where factories come from."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"


def python_files(*folders: Path) -> list[Path]:
    return sorted(
        p for folder in folders for p in folder.rglob("*.py") if "migrations" not in p.parts
    )


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_test_module_imports_from_the_root_conftest() -> None:
    # A conftest is pytest's to load, for its fixtures, under a name that depends on pytest's
    # import mode; what test modules import lives in ordinary modules (tests/factories.py).
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files(TESTS)
        if "tests.conftest" in imports_of(path)
    ]
    assert offenders == []


def test_the_import_check_sees_every_spelling_of_the_conftest_import(tmp_path: Path) -> None:
    for source in (
        "from tests.conftest import make_user\n",
        "import tests.conftest\n",
        "from tests import conftest\n",
        "def f():\n    from tests.conftest import make_user\n",
    ):
        module = tmp_path / "test_x.py"
        module.write_text(source)
        assert "tests.conftest" in imports_of(module), source
