"""Bulk imports: streaming, malformed records reported by line, idempotent and resumable."""

import gzip
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from shortscience.models import ImportCheckpoint, Paper, PaperIdentifier, Summary
from shortscience.services.imports import runs
from shortscience.services.imports.legacy_csv import import_legacy_csv
from shortscience.services.imports.writer import commit_batch
from tests.factories import make_user

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data" / "imports"


def test_the_arxiv_snapshot_imports_papers_and_reports_bad_lines_by_number():
    report = runs.import_arxiv_snapshot(DATA / "arxiv-snapshot.jsonl")
    assert report.created == 3 and report.existing == 1
    assert report.errors == ["line 3: not JSON (Expecting value at column 1)", "line 4: no id"]
    old = PaperIdentifier.objects.get(scheme="arxiv", value="hep-th/9901001").paper
    assert old.year == 1999
    first = PaperIdentifier.objects.get(scheme="arxiv", value="0704.0001").paper
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors[0] == "C. Balázs" and first.categories == ["hep-ph"]
    assert first.identifiers.filter(scheme="doi", value="10.1103/physrevd.76.013009").exists()


def test_importing_the_same_file_again_adds_nothing(tmp_path):
    copy = tmp_path / "snapshot.jsonl.gz"
    with (DATA / "arxiv-snapshot.jsonl").open("rb") as src, gzip.open(copy, "wb") as dst:
        shutil.copyfileobj(src, dst)
    runs.import_arxiv_snapshot(copy)
    again = runs.import_arxiv_snapshot(copy, restart=True)
    assert again.created == 0 and again.existing == 4
    assert Paper.objects.count() == 3


def test_an_interrupted_import_resumes_after_its_checkpoint(tmp_path, monkeypatch):
    lines = [
        f'{{"id": "2101.{i:05d}", "title": "Paper {i}", "authors": "A. B", "categories": "cs.LG"}}'
        for i in range(1, 2501)
    ]
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines))
    monkeypatch.setattr(runs, "BATCH_SIZE", 1000)
    calls = {"n": 0}
    real = commit_batch

    def crash_on_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(runs, "commit_batch", crash_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        runs.import_arxiv_snapshot(path)
    assert Paper.objects.count() == 1000
    assert ImportCheckpoint.objects.get().position == 1000
    monkeypatch.setattr(runs, "commit_batch", real)
    report = runs.import_arxiv_snapshot(path)
    assert report.skipped_before == 1000 and report.created == 1500
    assert Paper.objects.count() == 2500 and ImportCheckpoint.objects.get().finished


def test_dblp_xml_imports_with_entities_and_skips_broken_records():
    report = runs.import_dblp_xml(DATA / "dblp-sample.xml")
    assert report.created == 2 and report.errors == ["record 3: journals/broken/NoTitle: no title"]
    fast = PaperIdentifier.objects.get(scheme="dblp", value="conf/iccv/Girshick15").paper
    assert fast.venue is not None
    assert fast.title == "Fast R-CNN" and fast.venue.key == "ICCV" and fast.year == 2015
    assert fast.identifiers.filter(scheme="doi", value="10.1109/iccv.2015.169").exists()
    attention = PaperIdentifier.objects.get(scheme="arxiv", value="1706.03762").paper
    assert attention.title == "Attention Is All You Need"
    assert attention.authors[-1] == "Jürgen Schmidhuber"


def test_broken_xml_reports_where_it_broke_and_keeps_what_came_before(tmp_path):
    text = (DATA / "dblp-sample.xml").read_text(encoding="latin-1")
    broken = tmp_path / "broken.xml"
    broken.write_text(text.replace("</article>\n<article", "</artcle>\n<article", 1), "latin-1")
    report = runs.import_dblp_xml(broken)
    assert report.fatal.startswith("the XML breaks off at line")
    assert Paper.objects.filter(identifiers__value="conf/iccv/Girshick15").exists()


def test_the_import_commands_print_a_report(capsys):
    call_command("import_arxiv_metadata", str(DATA / "arxiv-snapshot.jsonl"))
    out = capsys.readouterr()
    assert "3 papers added" in out.out and "skipped line 3" in out.err


def test_the_old_site_csv_becomes_one_users_summaries():
    runs.import_dblp_xml(DATA / "dblp-sample.xml")
    author = make_user("legacyuser")
    report = import_legacy_csv(DATA / "legacy-export.csv", author)
    assert report.imported == 3 and report.placeholders == 2
    assert report.errors == [
        "line 4: expected 2 columns (key, text), found 1",
        "line 5: no paper key",
    ]
    fast = Summary.objects.get(author=author, paper__identifiers__value="conf/iccv/Girshick15")
    assert "multi-line summary" in fast.markdown and fast.is_public
    dense = Summary.objects.get(author=author, paper__identifiers__value="1608.06993")
    assert "<math" in dense.html
    again = import_legacy_csv(DATA / "legacy-export.csv", author)
    assert again.imported == 3 and Summary.objects.filter(author=author).count() == 3
    assert all(s.revisions.count() == 1 for s in Summary.objects.filter(author=author))


def test_the_dblp_command_reports_and_fails_on_broken_xml(tmp_path, capsys):
    from django.core.management.base import CommandError

    call_command("import_dblp", str(DATA / "dblp-sample.xml"))
    assert "2 papers added" in capsys.readouterr().out
    broken = tmp_path / "broken.xml"
    broken.write_text("<dblp><article key='a/b/c'><title>x</title></artcle></dblp>")
    with pytest.raises(CommandError, match="breaks off"):
        call_command("import_dblp", str(broken))
