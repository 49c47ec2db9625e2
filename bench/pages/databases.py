"""The built databases, cached: a SQLite file and a PostgreSQL database per shape, reused while
the cache key (shape, seed, renderer version, and a fingerprint of the renderer's and the
bench's code) is unchanged, rebuilt otherwise. Migrations are not in the key: every server
migrates its scratch copy before serving it."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from bench.pages.servers import PG, ROOT, base_env

CACHE = ROOT / "var" / "bench"
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atq"]


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(paths):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def render_key(seed: int) -> str:
    """The rendered HTML depends on the texts (seed) and the renderer's code, not the shape."""
    from shortscience.rendering import RENDERER_VERSION

    code = [*(ROOT / "shortscience" / "rendering").glob("*.py")]
    code += [ROOT / "shortscience" / "services" / "markup.py", ROOT / "bench/pages/corpus.py"]
    code += [ROOT / "bench/pages/shape.py"]
    return f"s{seed}-r{RENDERER_VERSION}-{_fingerprint(code)}"


def key(shape: str, seed: int) -> str:
    return f"{shape}-{render_key(seed)}-{_fingerprint([ROOT / 'bench/pages/build.py'])}"


def _build(shape: str, seed: int, database_url: str, scratch: Path) -> None:
    scratch.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "bench.pages.build", "--shape", shape, "--seed", str(seed),
        "--key", key(shape, seed),
        "--render-cache", str(CACHE / "cache" / f"render-{render_key(seed)}.pickle"),
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, env=base_env(scratch, database_url), check=True)  # noqa: S603


def sqlite(shape: str, seed: int, *, any_key: bool = False) -> str:
    """The path of the built SQLite file, building it first if needed; with `any_key`, the
    newest one built for this shape and seed even if the renderer changed since."""
    path = CACHE / "db" / f"{key(shape, seed)}.sqlite3"
    older = sorted(
        (CACHE / "db").glob(f"{shape}-s{seed}-*.sqlite3"), key=lambda p: p.stat().st_mtime
    )
    if any_key and not path.exists() and older:
        print(f"reusing {older[-1].relative_to(ROOT)} (--reuse-any: not {path.name})")
        return str(older[-1])
    if path.exists():
        print(f"reusing {path.relative_to(ROOT)}")
        return str(path)
    print(f"building {path.relative_to(ROOT)} (first run for this key)")
    path.parent.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no var/bench/db
    partial = path.with_suffix(".partial")
    for leftover in path.parent.glob(f"{partial.name}*") if path.parent.exists() else []:
        leftover.unlink()
    _build(shape, seed, f"sqlite:///{partial}", CACHE / "build")
    partial.replace(path)
    return str(path)


def postgres(shape: str, seed: int, *, any_key: bool = False) -> str:
    """The name of the built PostgreSQL database (bench_<shape>), building it first if needed;
    with `any_key`, whatever was built last for this shape."""
    name, wanted = f"bench_{shape}", key(shape, seed)
    found = subprocess.run(  # noqa: S603
        [*PSQL, "-d", name, "-c", "SELECT key FROM bench_build"], capture_output=True, text=True
    )
    if found.returncode == 0 and any_key and found.stdout.strip() != wanted:
        print(f"reusing PostgreSQL database {name} (--reuse-any: {found.stdout.strip()})")
        return name
    if found.returncode == 0 and found.stdout.strip() == wanted:
        print(f"reusing PostgreSQL database {name} ({wanted})")
        return name
    print(f"building PostgreSQL database {name} ({wanted})")
    partial = f"{name}_partial"
    for sql in (f"DROP DATABASE IF EXISTS {partial} WITH (FORCE)", f"CREATE DATABASE {partial}"):
        subprocess.run([*PSQL, "-c", sql], check=True)  # noqa: S603
    _build(shape, seed, f"{PG}/{partial}", CACHE / "build")
    for sql in (
        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
        f"ALTER DATABASE {partial} RENAME TO {name}",
    ):
        subprocess.run([*PSQL, "-c", sql], check=True)  # noqa: S603
    return name
