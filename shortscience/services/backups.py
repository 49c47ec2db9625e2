"""Operator backups (`manage.py backup`, `manage.py restore`, the optional huey schedule): a
consistent copy of the whole database and of the uploaded media, and bringing one back.

A backup is a directory `BACKUP_DIR/shortscience-<UTC time>/` holding the database
(`database.sqlite3`, made with SQLite's online backup API, or `database.pgdump`, made by
`pg_dump --format=custom`), `media.tar.gz` when uploads are files on this machine, and
`manifest.json` (format, time, the database vendor, each file's size and SHA-256). It is written
under a `.partial-` name and renamed when complete, so a failed or interrupted backup never looks
like one; then all but the newest `BACKUP_KEEP` are deleted. A lock file keeps two backups (the
systemd timer and the huey schedule, say) from running at once.

Unlike the public dump (services/dumps), a backup holds everything: private summaries,
e-mail addresses, password hashes, sessions. Keep it where the database itself may be kept.

Restore goes into an empty database (no people, papers or summaries) and refuses one with
content unless `force`, which replaces everything in it. Media files are extracted into
MEDIA_ROOT. With object storage (MEDIA_STORAGE = S3) media are not copied: the bucket's own
versioning and replication are its backup (docs/deploy.md).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections

from shortscience.services import maintenance, pagecache
from shortscience.services.errors import InvalidInput

FORMAT = "shortscience-backup"
FORMAT_VERSION = 1
PREFIX = "shortscience-"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
MEDIA_FILE = "media.tar.gz"
# The tables whose rows make a database "not empty" for restore: what people made.
CONTENT_TABLES = ("shortscience_user", "shortscience_paper", "shortscience_summary")
_NAME = re.compile(rf"^{PREFIX}(\d{{8}}T\d{{6}}Z)(?:-(\d+))?$")
_CHUNK = 1 << 20


class BackupError(InvalidInput):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class Backup:
    path: Path
    manifest: dict[str, Any]
    removed: list[Path] = field(default_factory=list)


def create(
    directory: Path | None = None,
    *,
    keep: int | None = None,
    database: Mapping[str, Any] | None = None,
    media: bool = True,
) -> Backup:
    """Back up the database (the default one unless `database`, a Django settings dict, names
    another) and the media files into a new timestamped directory; keep the newest `keep`."""
    root = Path(directory or settings.BACKUP_DIR)
    keep = settings.BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError("BACKUP_KEEP must be at least 1: the backup just made is kept.")
    db = dict(database or connections["default"].settings_dict)
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        name = _new_name(root)
        partial = root / f".partial-{name}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        try:
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": _back_up_database(db, partial),
                # After the database: every file a backed-up row names was complete before its
                # row was written (services/images.py), so it is in the archive.
                "media": _back_up_media(partial) if media else {"storage": "skipped"},
            }
            (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
            _fsync_tree(partial)
            final = root / name
            partial.rename(final)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        removed = _prune(root, keep)
    return Backup(final, manifest, removed)


def existing(directory: Path | None = None) -> list[Path]:
    """Complete backups in `directory`, oldest first."""
    root = Path(directory or settings.BACKUP_DIR)
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and _NAME.match(p.name)]
    return sorted((p for p in found if (p / MANIFEST).is_file()), key=_order)


def restore(
    source: Path,
    *,
    force: bool = False,
    database: Mapping[str, Any] | None = None,
    media: bool = True,
) -> dict[str, Any]:
    """Bring the backup in `source` back into the database (default unless `database`) and
    MEDIA_ROOT. Refuses a database with content unless `force`. Returns the manifest."""
    manifest = read_manifest(source)
    db = dict(database or connections["default"].settings_dict)
    vendor = _vendor(db)
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['database']['vendor']} database and the target is "
            f"{vendor}; restore it into the same kind (or move data with dump_public/load_dump)."
        )
    if not force and _has_content(db):
        raise BackupError(
            "The target database already has content (people, papers or summaries); restore "
            "only into an empty database, or pass --force to replace everything in it."
        )
    for entry in (manifest["database"], manifest["media"]):
        if entry.get("file"):
            _verify(source / entry["file"], entry["sha256"])
    if vendor == "sqlite":
        _restore_sqlite(source / manifest["database"]["file"], db)
    else:
        _restore_postgres(source / manifest["database"]["file"], db)
    if media and manifest["media"].get("file"):
        _restore_media(source / manifest["media"]["file"])
    if database is None:
        # Every row changed under the cached pages; pg_restore brings no planner statistics.
        pagecache.touch_everything()
        maintenance.analyse()
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((Path(source) / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BackupError(f"{source} holds no {MANIFEST}: it is not a complete backup.") from exc
    except ValueError as exc:
        raise BackupError(f"{source}/{MANIFEST} is not JSON: {exc}") from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{source} is not a {FORMAT} version {FORMAT_VERSION} backup.")
    return dict(manifest)


# --- the database ---------------------------------------------------------------------------


def _vendor(db: Mapping[str, Any]) -> str:
    engine = str(db["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith(("postgresql", "postgis")):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


@contextmanager
def _sqlite_connect(db: Mapping[str, Any]) -> Iterator[sqlite3.Connection]:
    """The site's own connection for the site's database (so a transaction this process holds
    cannot lock itself out), a fresh one closed afterwards for any other."""
    default = connections["default"]
    if db.get("NAME") == default.settings_dict["NAME"] and default.vendor == "sqlite":
        if default.in_atomic_block:
            # SQLite's backup waits, for ever, for the transaction its own connection holds.
            raise BackupError("A backup or restore cannot run inside a database transaction.")
        default.ensure_connection()
        yield default.connection
        return
    name = str(db["NAME"])
    with closing(sqlite3.connect(name, uri=name.startswith("file:"), timeout=30)) as conn:
        yield conn


def _back_up_database(db: Mapping[str, Any], into: Path) -> dict[str, Any]:
    vendor = _vendor(db)
    if vendor == "sqlite":
        target = into / SQLITE_FILE
        with _sqlite_connect(db) as live, closing(sqlite3.connect(target)) as copy:
            # All pages in one step: a read transaction on the live database, so the copy is one
            # consistent snapshot; in WAL mode the site's writers go on meanwhile. (Copying in
            # several steps restarts whenever another connection writes, and might never end.)
            live.backup(copy, pages=-1)
            ok = copy.execute("PRAGMA integrity_check").fetchone()
        if ok != ("ok",):
            raise BackupError(f"The SQLite copy failed its integrity check: {ok}.")
    else:
        target = into / POSTGRES_FILE
        # One transaction in pg_dump: a consistent snapshot while the site writes.
        _run_postgres_tool("pg_dump", db, ["--format=custom", f"--file={target}", db["NAME"]])
    return {"vendor": vendor, **_describe(target)}


def _has_content(db: Mapping[str, Any]) -> bool:
    if _vendor(db) == "sqlite":
        with _sqlite_connect(db) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            return any(
                conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()  # noqa: S608 -- our names
                for t in CONTENT_TABLES
                if t in tables
            )
    import psycopg

    with psycopg.connect(**_psycopg_params(db)) as pg, pg.cursor() as cursor:
        for table in CONTENT_TABLES:
            cursor.execute("SELECT to_regclass(%s)", [f"public.{table}"])
            row = cursor.fetchone()
            if row and row[0] is not None:
                cursor.execute(f'SELECT 1 FROM "{table}" LIMIT 1')  # noqa: S608 -- our names
                if cursor.fetchone():
                    return True
    return False


def _restore_sqlite(backup: Path, db: Mapping[str, Any]) -> None:
    with closing(sqlite3.connect(backup)) as copy:
        ok = copy.execute("PRAGMA integrity_check").fetchone()
        if ok != ("ok",):
            raise BackupError(f"{backup} fails SQLite's integrity check: {ok}. Nothing restored.")
        with _sqlite_connect(db) as live:
            # Page by page into the live file under its own lock: the target becomes an exact
            # copy, its WAL included, without moving files under a running site.
            copy.backup(live, pages=-1)


def _restore_postgres(backup: Path, db: Mapping[str, Any]) -> None:
    # --clean --if-exists: a migrated but empty database already has the tables; everything the
    # backup holds is dropped and recreated, in one transaction, so a failure changes nothing.
    args = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    _run_postgres_tool("pg_restore", db, [*args, f"--dbname={db['NAME']}", str(backup)])


def _psycopg_params(db: Mapping[str, Any]) -> dict[str, Any]:
    params = {
        "dbname": db["NAME"],
        "host": db.get("HOST") or None,
        "port": str(db.get("PORT") or "") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "connect_timeout": 10,
    }
    return {key: value for key, value in params.items() if value is not None}


def _run_postgres_tool(tool: str, db: Mapping[str, Any], args: list[str]) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} is not on PATH. Install PostgreSQL's client tools (Debian: "
            f"apt-get install postgresql-client), of the server's major version or newer."
        )
    flags = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            flags += [flag, str(db[key])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    done = subprocess.run(  # noqa: S603 -- PostgreSQL's own tool, arguments from our settings
        [executable, *flags, "--no-password", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"{tool} failed (exit {done.returncode}): {done.stderr.strip()}")


# --- media ---------------------------------------------------------------------------------------


def _back_up_media(into: Path) -> dict[str, Any]:
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        backend = f"{type(storage).__module__}.{type(storage).__name__}"
        return {
            "storage": "object",
            "backend": backend,
            "bucket": getattr(storage, "bucket_name", None),
            "note": "Media are not copied: the bucket's versioning and replication back them up.",
        }
    root = Path(storage.location)
    target = into / MEDIA_FILE
    count = 0
    with tarfile.open(target, "w:gz") as archive:
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.is_file() and not path.is_symlink():
                archive.add(path, arcname=str(path.relative_to(root)), recursive=False)
                count += 1
    return {"storage": "file", "files": count, **_describe(target)}


def _restore_media(archive_path: Path) -> None:
    storage = storages["default"]
    assert isinstance(storage, FileSystemStorage)  # the manifest says the media were files
    root = Path(storage.location)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        # The "data" filter refuses absolute paths, "..", links out of root and device files.
        archive.extractall(root, filter="data")


# --- files, names, retention ---------------------------------------------------------------------


def _describe(path: Path) -> dict[str, Any]:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _verify(path: Path, expected: str) -> None:
    if not path.is_file():
        raise BackupError(f"{path} is missing: the backup is incomplete. Nothing restored.")
    if _sha256(path) != expected:
        raise BackupError(
            f"{path.name}: its SHA-256 does not match the manifest (damaged?). Nothing restored."
        )


def _fsync_tree(directory: Path) -> None:
    for path in directory.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


def _new_name(root: Path) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    # Within one second, after the highest number taken (not a gap that pruning left), so
    # names keep sorting in the order the backups were made.
    taken = [_order(p)[1] for p in root.iterdir() if (m := _NAME.match(p.name)) and m[1] == stamp]
    n = max(taken, default=0) + 1
    return f"{PREFIX}{stamp}" if n == 1 else f"{PREFIX}{stamp}-{n}"


def _order(path: Path) -> tuple[str, int]:
    match = _NAME.match(path.name)
    assert match is not None
    return match[1], int(match[2] or 1)


def _prune(root: Path, keep: int) -> list[Path]:
    for leftover in root.glob(".partial-*"):  # an interrupted run's; we hold the lock
        shutil.rmtree(leftover, ignore_errors=True)
    old = existing(root)[:-keep]
    for path in old:
        shutil.rmtree(path)
    return old


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    with (root / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BackupError(f"Another backup is running in {root}; try again later.") from exc
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
