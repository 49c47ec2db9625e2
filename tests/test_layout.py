"""How the source and test trees are written: where factories come from, why a check is silenced."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
PACKAGE = ROOT / "shortscience"

# `# type: ignore[code]  # reason`: the codes say what is silenced, the second comment why.
# A reason is words of our own, not another tool's directive that happens to follow.
TYPE_IGNORE = re.compile(r"#\s*type:\s*ignore\b(?P<rest>.*)")
WITH_REASON = re.compile(r"\[[a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*\]  # (?!noqa\b)\S")


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


def type_ignores(path: Path) -> list[tuple[int, str]]:
    # Comments only: a string that mentions the marker (like this module's) silences nothing.
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    return [
        (token.start[0], token.string)
        for token in tokens
        if token.type == tokenize.COMMENT and TYPE_IGNORE.search(token.string)
    ]


def lacks_reason(comment: str) -> bool:
    found = TYPE_IGNORE.search(comment)
    assert found is not None
    return WITH_REASON.match(found["rest"]) is None


def test_no_test_module_imports_from_the_root_conftest() -> None:
    # A conftest is pytest's to load, for its fixtures, under a name that depends on pytest's
    # import mode; what test modules import lives in ordinary modules (tests/factories.py).
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files(TESTS)
        if "tests.conftest" in imports_of(path)
    ]
    assert offenders == []


def test_every_type_ignore_names_its_codes_and_gives_a_reason() -> None:
    bare = [
        f"{path.relative_to(ROOT)}:{line}: {comment}"
        for path in python_files(PACKAGE, TESTS)
        for line, comment in type_ignores(path)
        if lacks_reason(comment)
    ]
    assert bare == []


def test_the_reason_check_tells_a_bare_ignore_from_an_explained_one() -> None:
    assert lacks_reason("# type: ignore")
    assert lacks_reason("# type: ignore[attr-defined]")
    assert lacks_reason("# type: ignore  # no codes")
    assert lacks_reason("# type: ignore[misc]  # noqa: S603 -- a noqa's reason is not this one's")
    assert not lacks_reason("# type: ignore[attr-defined]  # per-request memo")
    assert not lacks_reason("# type: ignore[arg-type, misc]  # see above  # noqa: S603 -- ours")


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
