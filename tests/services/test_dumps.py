"""The public dump holds only what visitors see, loads back into an empty database and dumps
again byte for byte; and the documented backups (SQLite online backup, pg_dump) restore every
row."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from shortscience.models import (
    Comment,
    Paper,
    PaperIdentifier,
    Summary,
    SummaryImage,
    User,
    Venue,
    Vote,
)
from shortscience.services import accounts, comments, dumps, summaries, votes
from shortscience.services.dumps import DumpError
from tests.factories import PASSWORD, make_paper, make_summary, make_user


def build_site() -> dict:
    """A small site with every kind of thing a dump must keep or leave out."""
    venue = Venue.objects.create(
        key="NeurIPS",
        name="Neural Information Processing Systems",
        description_markdown="A *big* one.",
        description_html="<p>A <em>big</em> one.</p>",
    )
    ada = make_user(
        "ada",
        display_name="Ada Lovelace",
        description_markdown="I *compute*.",
        description_html="<p>I <em>compute</em>.</p>",
        orcid="0000-0002-1825-0097",
    )
    bob, carol, dave, erin = (make_user(n) for n in ("bob", "carol", "dave", "erin"))
    paper = make_paper("Attention: “Ünïcode” and $x^2$", venue=venue)
    PaperIdentifier.objects.create(paper=paper, scheme="doi", value="10.5555/3295222.3295349")
    other_paper = make_paper()
    named = make_summary(ada, paper, "Named summary, with $x^2$ and ünïcode.")
    anonymous = make_summary(carol, paper, "Carol's anonymous summary.", anonymous=True)
    also_anonymous = make_summary(bob, paper, "Bob's anonymous summary.", anonymous=True)
    private = make_summary(dave, other_paper, "Dave's private text.", private=True)
    summaries.set_share_link(private.pk, dave, enabled=True)
    make_summary(dave, paper, "Dave's draft text.", publish=False)
    hidden = make_summary(ada, other_paper, "Hidden by a moderator.")
    Summary.objects.filter(pk=hidden.pk).update(is_hidden=True)
    stale = make_summary(erin, other_paper, "Rendered long ago.")
    Summary.objects.filter(pk=stale.pk).update(renderer_version=0)
    votes.cast(bob, named.pk, 1)
    votes.cast(dave, named.pk, -1)
    votes.cast(ada, anonymous.pk, 1)
    votes.cast(dave, anonymous.pk, 1)
    top = comments.add(bob, named.pk, "Bob comments.")
    comments.edit(bob, top.pk, "Bob comments, edited.")
    comments.add(ada, named.pk, "Ada replies.", parent_id=top.pk)
    gone = comments.add(dave, named.pk, "Dave's deleted comment.")
    comments.add(bob, named.pk, "Bob replies to a deleted comment.", parent_id=gone.pk)
    comments.delete(dave, gone.pk)
    flagged = comments.add(dave, anonymous.pk, "Dave's hidden comment.")
    Comment.objects.filter(pk=flagged.pk).update(is_hidden=True)
    later_private = make_summary(make_user("frank"), other_paper, "Frank's summary.")
    comments.add(bob, later_private.pk, "Under a summary made private later.")
    summaries.save(
        later_private.author,
        other_paper,
        summaries.SaveRequest("Frank's summary.", publish=True, private=True, anonymous=False),
    )
    comments.add(erin, named.pk, "Erin was here.")
    accounts.delete_account(erin, PASSWORD, accounts.Mode.ANONYMISE)
    return {"named": named, "anonymous": anonymous, "also_anonymous": also_anonymous}


def read_dump(directory: Path) -> dict[str, list[dict]]:
    return {
        name: [json.loads(line) for line in (directory / name).read_text().splitlines()]
        for name in dumps.FILES
    }


def all_text(directory: Path) -> str:
    return "".join(path.read_text() for path in sorted(directory.iterdir()))


@pytest.mark.django_db
def test_the_dump_holds_public_summaries_their_shown_comments_and_vote_counts_only(tmp_path):
    site = build_site()
    dumps.write(tmp_path)
    data = read_dump(tmp_path)
    by_id = {s["id"]: s for s in data["summaries.jsonl"]}
    assert set(by_id) == {
        site["named"].pk,
        site["anonymous"].pk,
        site["also_anonymous"].pk,
        Summary.objects.get(markdown="Rendered long ago.").pk,
    }
    assert by_id[site["named"].pk]["author"] == "ada"
    assert by_id[site["anonymous"].pk]["author"] is None
    assert by_id[site["also_anonymous"].pk]["author"] is None
    assert {v["summary_id"]: (v["score"], v["up"], v["down"]) for v in data["votes.jsonl"]}[
        site["named"].pk
    ] == (0, 1, 1)
    assert set(data["votes.jsonl"][0]) == {"summary_id", "score", "up", "down"}
    shown = {c["markdown"]: c for c in data["comments.jsonl"]}
    assert set(shown) == {
        "Bob comments, edited.",
        "Ada replies.",
        "",
        "Bob replies to a deleted comment.",
        "Erin was here.",
    }
    tombstone = shown[""]
    assert tombstone["deleted"] is True and tombstone["author"] is None
    assert shown["Bob replies to a deleted comment."]["parent_id"] == tombstone["id"]
    assert shown["Erin was here."]["author"] is None  # her account was deleted
    assert shown["Bob comments, edited."]["edited_at"] is not None
    assert [u["username"] for u in data["users.jsonl"]] == ["ada", "bob"]
    assert data["users.jsonl"][0] == {
        "username": "ada",
        "display_name": "Ada Lovelace",
        "description_markdown": "I *compute*.",
        "description_html": "<p>I <em>compute</em>.</p>",
        "orcid": "0000-0002-1825-0097",
        "orcid_verified": False,
    }
    paper = next(p for p in data["papers.jsonl"] if p["venue"] == "NeurIPS")
    assert [i["scheme"] for i in paper["identifiers"]] == ["arxiv", "doi"]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["license"] == "CC BY 4.0" and manifest["format_version"] == 1
    assert manifest["files"]["summaries.jsonl"]["records"] == 4
    assert "CC BY 4.0" in (tmp_path / "LICENSE.txt").read_text()


@pytest.mark.django_db
def test_the_dump_holds_nothing_private(tmp_path):
    build_site()
    dumps.write(tmp_path)
    text = all_text(tmp_path)
    tokens = [
        token
        for token in Summary.objects.exclude(share_token=None).values_list("share_token", flat=True)
        if token is not None
    ]
    assert tokens
    for secret in [
        *tokens,
        "@example.org",
        "Dave's private text.",
        "Dave's draft text.",
        "Hidden by a moderator.",
        "Dave's deleted comment.",
        "Dave's hidden comment.",
        "Under a summary made private later.",
        "Frank's summary.",
        '"carol"',
        '"dave"',
        '"erin"',
        '"frank"',
        accounts.PLACEHOLDER_MARK,
        "password",
        "argon2",
    ]:
        assert secret not in text, secret


@pytest.mark.django_db(transaction=True)
def test_dump_load_into_an_empty_database_and_dump_again_gives_identical_files(tmp_path):
    build_site()
    first, second = tmp_path / "first", tmp_path / "second"
    dumps.write(first)
    call_command("flush", interactive=False)
    assert not Summary.objects.exists()
    report = dumps.load(first)
    assert report.counts["summaries.jsonl"] == 4 and report.counts["comments.jsonl"] == 5
    assert report.stale_renders == 1
    dumps.write(second)
    for name in (*dumps.FILES, "LICENSE.txt"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    manifests = [json.loads((d / "manifest.json").read_text()) for d in (first, second)]
    for manifest in manifests:
        manifest.pop("created_at")
    assert manifests[0] == manifests[1]
    # The loaded site works: scores equal their vote rows, new rows get fresh ids.
    for summary in Summary.objects.all():
        assert summary.score == sum(summary.votes.values_list("value", flat=True))
    assert not User.objects.get(username="ada").has_usable_password()
    assert make_paper().pk > max(p["id"] for p in read_dump(first)["papers.jsonl"])


@pytest.mark.django_db
def test_load_refuses_a_database_with_content_unless_forced(tmp_path):
    build_site()
    dumps.write(tmp_path)
    with pytest.raises(DumpError, match="already has content"):
        dumps.load(tmp_path)
    with pytest.raises(DumpError, match="refused the dump"):
        dumps.load(tmp_path, force=True)  # the same ids are already there


def empty_the_database() -> None:
    for model in (Vote, Comment, Summary, PaperIdentifier, Paper, Venue, User):
        model.objects.all().delete()


def tamper(directory: Path, name: str, number: int, line: str) -> None:
    """Replace one line and re-sign the manifest, as someone editing a dump by hand would."""
    path = directory / name
    lines = path.read_text().splitlines()
    lines[number - 1] = line
    path.write_text("\n".join(lines) + "\n")
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"][name]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (directory / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "number", "line", "message"),
    [
        ("summaries.jsonl", 2, "{not json", "summaries.jsonl line 2: not JSON"),
        ("papers.jsonl", 1, "[1, 2]", "papers.jsonl line 1: expected a JSON object"),
        ("comments.jsonl", 3, '{"id": 1}', "comments.jsonl line 3: 'summary_id' is missing"),
    ],
)
def test_a_malformed_line_is_reported_by_file_and_line_and_nothing_is_loaded(
    tmp_path, name, number, line, message
):
    build_site()
    dumps.write(tmp_path)
    empty_the_database()
    tamper(tmp_path, name, number, line)
    with pytest.raises(DumpError, match=message):
        dumps.load(tmp_path)
    assert not Paper.objects.exists() and not Venue.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_a_wrong_type_or_a_dangling_reference_names_the_line(tmp_path):
    build_site()
    dumps.write(tmp_path)
    empty_the_database()
    record = json.loads((tmp_path / "summaries.jsonl").read_text().splitlines()[0])
    tamper(tmp_path, "summaries.jsonl", 1, json.dumps({**record, "score": "12"}))
    with pytest.raises(DumpError, match=r"summaries.jsonl line 1: 'score' is not a valid signed"):
        dumps.load(tmp_path)
    tamper(tmp_path, "summaries.jsonl", 1, json.dumps({**record, "paper_id": 999999}))
    with pytest.raises(DumpError, match=r"line 1: 'paper_id' 999999 names no paper"):
        dumps.load(tmp_path)


@pytest.mark.django_db
def test_a_verified_orcid_survives_the_round_trip_and_an_older_dump_loads_it_as_unverified(
    tmp_path,
):
    build_site()
    User.objects.filter(username="ada").update(orcid_verified=True)
    dumps.write(tmp_path)
    empty_the_database()
    dumps.load(tmp_path)
    assert User.objects.get(username="ada").orcid_verified
    # A dump written before the flag existed (format 1 all the same) loads it as false.
    users = tmp_path / "users.jsonl"
    lines = [json.loads(line) for line in users.read_text().splitlines()]
    for line in lines:
        line.pop("orcid_verified")
    users.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    manifest_path = tmp_path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["users.jsonl"]["sha256"] = hashlib.sha256(users.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest))
    empty_the_database()
    dumps.load(tmp_path)
    assert not User.objects.get(username="ada").orcid_verified


@pytest.mark.django_db
def test_a_changed_file_without_a_matching_manifest_is_refused(tmp_path):
    build_site()
    dumps.write(tmp_path)
    empty_the_database()
    with (tmp_path / "votes.jsonl").open("a") as extra:
        extra.write('{"summary_id": 1, "score": 0, "up": 0, "down": 0}\n')
    with pytest.raises(DumpError, match=r"votes\.jsonl: its SHA-256 does not match"):
        dumps.load(tmp_path)


@pytest.mark.django_db
def test_the_commands_report_counts_and_refuse_clearly(tmp_path, capsys):
    build_site()
    call_command("dump_public", str(tmp_path))
    assert "summaries.jsonl: 4 records" in capsys.readouterr().out
    with pytest.raises(CommandError, match=r"already has content.*Nothing was loaded"):
        call_command("load_dump", str(tmp_path))
    empty_the_database()
    call_command("load_dump", str(tmp_path))
    out = capsys.readouterr().out
    assert "comments.jsonl: 5 records loaded" in out and "manage.py rerender" in out


# --- backups ---------------------------------------------------------------------------------


def every_row(cursor) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: what a restore must give back."""
    # On PostgreSQL each row as the server's text, so jsonb reads the same through any driver.
    row = "t::text" if connection.vendor == "postgresql" else "*"
    found = {}
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute(f'SELECT {row} FROM "{table}" t ORDER BY 1')  # noqa: S608 -- our tables
        found[table] = [tuple(values) for values in cursor.fetchall()]
    return found


def build_site_with_upload() -> SummaryImage:
    build_site()
    return SummaryImage.objects.create(
        uploader=User.objects.get(username="ada"),
        file=ContentFile(b"\x89PNG pixels", name="figure.png"),
        width=1,
        height=1,
    )


@pytest.mark.django_db(transaction=True)
def test_sqlite_online_backup_restores_everything(tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip(
            "SQLite online backup: this run uses PostgreSQL, whose procedure "
            "test_pg_dump_and_pg_restore_give_back_every_row checks."
        )
    media = settings.MEDIA_ROOT = tmp_path / "media"
    image = build_site_with_upload()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        before = every_row(cursor)
    assert before["shortscience_summary"] and before["account_emailaddress"]
    # The site's database as the file it is in production (var/shortscience.sqlite3, WAL).
    live = tmp_path / "shortscience.sqlite3"
    with closing(sqlite3.connect(live)) as copy:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")
    # docs/data.md: back up while the site runs (here a reader holds the file open) ...
    with closing(sqlite3.connect(live)) as site_reader:
        site_reader.execute("BEGIN")
        site_reader.execute("SELECT count(*) FROM shortscience_summary").fetchone()
        with (
            closing(sqlite3.connect(live)) as src,
            closing(sqlite3.connect(tmp_path / "b.db")) as dst,
        ):
            src.backup(dst)
        shell = shutil.which("sqlite3")
        if shell:  # ... or with the sqlite3 shell
            command = [shell, str(live), f".backup {tmp_path / 'cli.db'}"]
            subprocess.run(command, check=True)  # noqa: S603 -- a fixed tool on our temp files
            with closing(sqlite3.connect(tmp_path / "cli.db")) as cli:
                assert cli.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # ... and copy the media folder.
    shutil.copytree(media, tmp_path / "media-backup")
    # Disaster: every row and every upload gone.
    call_command("flush", interactive=False)
    shutil.rmtree(media)
    assert not Summary.objects.exists()
    # Restore: the backup file back into the database, the media folder back in place.
    with closing(sqlite3.connect(tmp_path / "b.db")) as backup:
        assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        backup.backup(connection.connection)
    shutil.copytree(tmp_path / "media-backup", media)
    with connection.cursor() as cursor:
        assert every_row(cursor) == before
    assert (media / SummaryImage.objects.get(pk=image.pk).file.name).read_bytes() == (
        b"\x89PNG pixels"
    )


@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_pg_restore_give_back_every_row(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip(
            "pg_dump round trip: this run uses SQLite, whose procedure "
            "test_sqlite_online_backup_restores_everything checks."
        )
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if not (pg_dump and pg_restore):
        pytest.skip("pg_dump and pg_restore are not on PATH.")
    import psycopg

    settings.MEDIA_ROOT = tmp_path / "media"
    build_site_with_upload()
    db = connection.settings_dict
    server = {
        "host": db["HOST"] or "localhost",
        "port": str(db["PORT"] or 5432),
        "user": db["USER"],
    }
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    flags = ["--host", server["host"], "--port", server["port"], "--username", server["user"]]
    backup = tmp_path / "shortscience.dump"
    dump = [pg_dump, *flags, "--format=custom", f"--file={backup}", db["NAME"]]
    subprocess.run(dump, check=True, env=env)  # noqa: S603 -- a fixed tool, our test database
    restored = f"{db['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        restore = [pg_restore, *flags, "--no-owner", f"--dbname={restored}", str(backup)]
        subprocess.run(restore, check=True, env=env)  # noqa: S603 -- a fixed tool, our test db
        with connection.cursor() as cursor:
            before = every_row(cursor)
        assert before["shortscience_summary"] and before["account_emailaddress"]
        with (
            psycopg.connect(dbname=restored, password=db["PASSWORD"] or None, **server) as other,
            other.cursor() as cursor,
        ):
            assert every_row(cursor) == before
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
