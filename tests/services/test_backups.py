"""`manage.py backup` and `restore` (services/backups.py): a backup of a site with content comes
back row for row into an empty database, with its uploads; it is consistent while another
connection writes; only the newest BACKUP_KEEP are kept; a damaged or foreign backup and a
database with content are refused; the huey schedule runs only when BACKUP_SCHEDULE says."""

import json
import os
import shutil
import sqlite3
import threading
import time
from contextlib import closing
from datetime import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from shortscience.models import Comment, Revision, Summary, SummaryImage, User, Vote
from shortscience.services import backups
from shortscience.services.backups import BackupError
from shortscience.tasks import backups as backup_task
from tests.services.test_dumps import build_site_with_upload, every_row
from tests.test_settings_documented import run_settings

SQLITE = "django.db.backends.sqlite3"


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def data(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    # Planner statistics are not data: restore refreshes them (ANALYZE).
    return {table: found for table, found in rows.items() if not table.startswith("sqlite_stat")}


def site_rows() -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        return data(every_row(cursor))


def assert_a_site_with_content(rows: dict[str, list[tuple]]) -> None:
    for table in (
        "shortscience_user",
        "shortscience_paper",
        "shortscience_summary",
        "shortscience_revision",
        "shortscience_vote",
        "shortscience_comment",
        "shortscience_summaryimage",
        "account_emailaddress",
    ):
        assert rows[table], f"the test site has no rows in {table}"


@pytest.mark.django_db(transaction=True)
def test_a_backup_comes_back_row_for_row_with_its_upload_into_the_emptied_database(tmp_path, media):
    image = build_site_with_upload()
    before = site_rows()
    assert_a_site_with_content(before)
    counts = {model: model.objects.count() for model in (User, Summary, Revision, Vote, Comment)}
    made = backups.create(tmp_path / "backups")
    assert made.manifest["database"]["vendor"] == connection.vendor
    assert made.manifest["media"] == {**made.manifest["media"], "storage": "file", "files": 1}
    # Disaster: every row and every upload gone; the tables are still there (migrated, empty).
    call_command("flush", interactive=False)
    shutil.rmtree(media)
    assert not User.objects.exists()
    backups.restore(made.path)
    assert site_rows() == before
    assert {model: model.objects.count() for model in counts} == counts
    ada = User.objects.get(username="ada")
    assert ada.check_password("a-long-test-password")
    named = Summary.objects.get(markdown__startswith="Named summary")
    assert named.author == ada and named.score == 0 and named.revisions.exists()
    assert (media / SummaryImage.objects.get(pk=image.pk).file.name).read_bytes() == (
        b"\x89PNG pixels"
    )


@pytest.fixture
def new_database(tmp_path):
    """A brand-new database with no tables, of the kind this run uses, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield {"ENGINE": SQLITE, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"backups_restore_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**connection.settings_dict, "NAME": name}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows_of(database: dict) -> dict[str, list[tuple]]:
    if database["ENGINE"] == SQLITE:
        with closing(sqlite3.connect(database["NAME"])) as other:
            return data(every_row(other.cursor()))
    import psycopg

    from shortscience.services.backups import _psycopg_params

    with psycopg.connect(**_psycopg_params(database)) as server, server.cursor() as cursor:
        return data(every_row(cursor))


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_database_and_a_second_restore_needs_force(
    tmp_path, media, new_database
):
    build_site_with_upload()
    made = backups.create(tmp_path / "backups", media=False)
    assert made.manifest["media"] == {"storage": "skipped"}
    backups.restore(made.path, database=new_database)
    if connection.vendor == "sqlite":  # the same rows, both read through the plain driver
        expected = rows_of({"ENGINE": SQLITE, "NAME": str(made.path / backups.SQLITE_FILE)})
    else:
        expected = site_rows()
    restored = rows_of(new_database)
    assert_a_site_with_content(restored)
    assert restored == expected
    with pytest.raises(BackupError, match="already has content"):
        backups.restore(made.path, database=new_database)
    backups.restore(made.path, database=new_database, force=True)
    assert rows_of(new_database) == expected


def test_a_backup_while_another_connection_writes_is_one_consistent_snapshot(tmp_path):
    """Every transaction moves money between two accounts and logs it: a torn copy would show a
    total that is off, or a log that does not match the counter."""
    live = tmp_path / "live.sqlite3"
    with closing(sqlite3.connect(live)) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.executescript(
            "CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER);"
            "CREATE TABLE transfer (id INTEGER PRIMARY KEY, amount INTEGER);"
            "CREATE TABLE counter (n INTEGER);"
            "INSERT INTO counter VALUES (0);"
            # Enough pages that the copy takes a while: the writer runs meanwhile.
            "CREATE TABLE filler (blob BLOB);"
        )
        setup.executemany("INSERT INTO account VALUES (?, 100)", [(i,) for i in range(100)])
        setup.executemany("INSERT INTO filler VALUES (randomblob(4096))", [()] * 6000)
        setup.commit()
    stop, commits = threading.Event(), []

    def write() -> None:
        with closing(sqlite3.connect(live, isolation_level=None, timeout=30)) as writer:
            writer.execute("PRAGMA synchronous=NORMAL")
            n = 0
            while not stop.is_set():
                n += 1
                writer.execute("BEGIN IMMEDIATE")
                writer.execute("UPDATE account SET balance = balance - 1 WHERE id = ?", [n % 100])
                writer.execute("UPDATE account SET balance = balance + 1 WHERE id = ?", [n % 97])
                writer.execute("INSERT INTO transfer (amount) VALUES (1)")
                writer.execute("UPDATE counter SET n = n + 1")
                writer.execute("COMMIT")
                commits.append(time.monotonic())

    thread = threading.Thread(target=write)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while len(commits) < 50 and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)  # the writer is going
        assert len(commits) >= 50, "the writer did not start"
        started = time.monotonic()
        made = backups.create(
            tmp_path / "backups", database={"ENGINE": SQLITE, "NAME": str(live)}, media=False
        )
        ended = time.monotonic()
        time.sleep(0.05)
    finally:
        stop.set()
        thread.join()
    during = [t for t in commits if started <= t <= ended]
    assert during, "the writer was blocked for the whole backup"
    with closing(sqlite3.connect(made.path / backups.SQLITE_FILE)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT sum(balance) FROM account").fetchone() == (10_000,)
        (n,) = copy.execute("SELECT n FROM counter").fetchone()
        assert copy.execute("SELECT count(*) FROM transfer").fetchone() == (n,)
    assert 0 < n < len(commits)  # a snapshot from the middle of the writing


@pytest.mark.django_db(transaction=True)
def test_only_the_newest_backups_are_kept(tmp_path, media):
    root = tmp_path / "backups"
    made = [backups.create(root, keep=2, media=False) for _ in range(4)]
    (root / ".partial-shortscience-20000101T000000Z").mkdir()  # a run killed half-way
    (root / "notes.txt").write_text("the operator's own file")
    last = backups.create(root, keep=2, media=False)
    assert backups.existing(root) == [made[3].path, last.path]
    assert made[1].removed == [] and made[2].removed == [made[0].path]
    assert sorted(p.name for p in root.iterdir()) == sorted(
        [".lock", "notes.txt", made[3].path.name, last.path.name]
    )


@pytest.mark.django_db(transaction=True)
def test_a_missing_pg_dump_is_a_clear_error_and_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": "shortscience"}
    with pytest.raises(BackupError, match=r"pg_dump is not on PATH.*postgresql-client"):
        backups.create(tmp_path / "backups", database=database)
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [".lock"]


@pytest.mark.django_db(transaction=True)
def test_a_damaged_incomplete_or_foreign_backup_is_refused_and_nothing_is_restored(tmp_path, media):
    build_site_with_upload()
    made = backups.create(tmp_path / "backups")
    call_command("flush", interactive=False)
    database = made.path / made.manifest["database"]["file"]
    with database.open("ab") as tail:
        tail.write(b"!")
    with pytest.raises(BackupError, match="SHA-256 does not match"):
        backups.restore(made.path)
    database.unlink()
    with pytest.raises(BackupError, match="is missing"):
        backups.restore(made.path)
    manifest = json.loads((made.path / "manifest.json").read_text())
    manifest["database"]["vendor"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    (made.path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="restore it into the same kind"):
        backups.restore(made.path)
    with pytest.raises(BackupError, match="not a complete backup"):
        backups.restore(tmp_path)
    assert not User.objects.exists() and not Summary.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_commands_back_up_refuse_a_site_with_content_and_restore_the_latest(
    tmp_path, media, settings, capsys
):
    settings.BACKUP_DIR = tmp_path / "backups"
    build_site_with_upload()
    before = site_rows()
    call_command("backup")
    out = capsys.readouterr().out
    assert f"Backed up to {settings.BACKUP_DIR}/shortscience-" in out
    assert "media: 1 files" in out
    with pytest.raises(CommandError, match=r"already has content.*--force"):
        call_command("restore", "latest")
    call_command("flush", interactive=False)
    call_command("restore", "latest")
    assert "Restored shortscience-" in capsys.readouterr().out
    assert site_rows() == before
    call_command("restore", "latest", "--force")  # over the content, the same content
    assert site_rows() == before


@pytest.mark.django_db
def test_restore_latest_with_no_backup_says_so(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "none"
    with pytest.raises(CommandError, match="no backup in BACKUP_DIR"):
        call_command("restore", "latest")


def test_the_scheduled_backup_is_off_unless_backup_schedule_names_the_minute(settings):
    at = datetime(2026, 12, 2, 3, 17)
    settings.BACKUP_SCHEDULE = ""
    assert not backup_task.due(at)
    settings.BACKUP_SCHEDULE = "17 3 * * *"
    assert backup_task.due(at)
    assert not backup_task.due(at.replace(minute=18))
    assert not backup_task.due(at.replace(hour=4))


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_task_makes_a_backup_in_backup_dir(tmp_path, media, settings):
    settings.BACKUP_DIR, settings.BACKUP_KEEP = tmp_path / "backups", 3
    backup_task.backup_on_schedule()
    assert len(backups.existing(settings.BACKUP_DIR)) == 1


def test_a_backup_schedule_that_is_not_five_cron_fields_is_refused_at_start():
    for wrong in ("daily", "17 3 * *", "99 3 * * *"):
        refused = run_settings({"BACKUP_SCHEDULE": wrong}, "")
        assert refused.returncode != 0, wrong
        assert "BACKUP_SCHEDULE must be five cron fields" in refused.stderr, wrong
    assert run_settings({"BACKUP_SCHEDULE": "17 3 * * *"}, "").returncode == 0
