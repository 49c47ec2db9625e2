"""Bulk imports: streaming, malformed records reported by line, idempotent and resumable."""

import gzip
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from shortscience.models import ImportCheckpoint, Paper, PaperIdentifier, Summary, Venue
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


def test_arxiv_lines_whose_ids_or_keys_do_not_parse_are_reported_by_line_and_skipped(tmp_path):
    def line(arxiv_id: str, **extra: str) -> str:
        import json

        return json.dumps({"id": arxiv_id, "title": "A paper", "categories": "cs.LG", **extra})

    path = tmp_path / "junk.jsonl"
    path.write_text(
        "\n".join(
            [
                line("javascript:alert(1)"),
                line("<b>1706.03762</b>"),
                line("1706.0\x003762"),
                line("1706.03762", doi="javascript:alert(1)"),
                line("1706.03762", doi="10.1234/<script>alert(1)</script>"),
                line("1706.03762", categories="<i>cs.LG</i>"),
                line("1706.03762", categories="cs/LG"),
                line(
                    "1706.03762", doi="10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"
                ),
            ]
        )
    )
    report = runs.import_arxiv_snapshot(path)
    assert report.errors == [
        "line 1: 'javascript:alert(1)' is not an arXiv id",
        "line 2: '<b>1706.03762</b>' is not an arXiv id",
        "line 3: '1706.0\\x003762' is not an arXiv id",
        "line 4: 1706.03762: 'javascript:alert(1)' is not a DOI",
        "line 5: 1706.03762: '10.1234/<script>alert(1)</script>' is not a DOI",
        "line 6: 1706.03762: '<i>cs.LG</i>' is not an arXiv category",
        "line 7: 1706.03762: 'cs/LG' is not an arXiv category",
    ]
    assert report.created == 1  # the last line, whose SICI DOI is a real DOI's shape
    assert set(PaperIdentifier.objects.values_list("value", flat=True)) == {
        "1706.03762",
        "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0",
    }
    assert list(Venue.objects.values_list("key", flat=True)) == ["arXiv cs.LG"]


def test_dblp_records_with_keys_links_or_venues_that_do_not_parse_are_skipped(tmp_path):
    path = tmp_path / "junk.xml"
    path.write_text(
        "<dblp>"
        '<article key="journals/x/&lt;b&gt;A&lt;/b&gt;"><title>Markup key</title></article>'
        '<article key="journals/x/Tab&#9;Key"><title>Tab key</title></article>'
        '<article key="journals/x/Doi15"><title>Bad DOI</title>'
        "<ee>https://doi.org/10.1000/&lt;img src=x onerror=alert(1)&gt;</ee></article>"
        '<incollection key="books/x/Venue15"><title>Slashes venue</title>'
        "<booktitle>Vision//Graphics</booktitle></incollection>"
        '<incollection key="books/x/Slash15"><title>Slash venue</title>'
        "<booktitle>Vision/Graphics</booktitle></incollection>"
        '<incollection key="books/x/Markup15"><title>Markup venue</title>'
        "<booktitle>&lt;i&gt;Bold&lt;/i&gt;</booktitle></incollection>"
        '<article key="journals/x/Link15"><title>Script link</title>'
        "<ee>javascript:alert(1)</ee><journal>X</journal></article>"
        "</dblp>"
    )
    report = runs.import_dblp_xml(path)
    assert report.errors == [
        "record 1: 'journals/x/<b>A</b>' is not a DBLP key",
        "record 2: 'journals/x/Tab\\tKey' is not a DBLP key",
        "record 3: journals/x/Doi15: '10.1000/<img src=x onerror=alert(1)>' is not a DOI",
        "record 4: books/x/Venue15: 'Vision//Graphics' is not a venue key",
        "record 6: books/x/Markup15: '<i>Bold</i>' is not a venue key",
    ]
    assert report.created == 2
    linked = Paper.objects.get(title="Script link")
    assert linked.url == ""  # only http(s) links are kept
    # One "/" joins two parts of a key; its page is /venues/Vision/Graphics/.
    slashed = Paper.objects.get(title="Slash venue")
    assert slashed.venue is not None and slashed.venue.key == "Vision/Graphics"


def test_old_site_keys_that_fit_no_grammar_are_reported_and_the_next_rows_imported(tmp_path):
    author = make_user()
    path = tmp_path / "export.csv"
    path.write_text(
        'javascript:alert(1),"one"\n'
        '<b>key</b>,"two"\n'
        '"old key","three"\n'
        '"tab\tkey","four"\n'
        'oldkey2016,"five"\n'
    )
    report = import_legacy_csv(path, author)
    reason = "not an arXiv id, DOI, DBLP key, OpenReview id or ShortScience key"
    assert [error.split(": ", 2)[:2] for error in report.errors] == [
        ["line 1", "'javascript:alert(1)'"],
        ["line 2", "'<b>key</b>'"],
        ["line 3", "'old key'"],
        ["line 4", "'tab\\tkey'"],
    ]
    assert all(reason in error for error in report.errors)
    assert report.imported == 1
    assert list(PaperIdentifier.objects.values_list("scheme", "value")) == [
        ("legacy", "oldkey2016")
    ]


def test_control_characters_in_imported_titles_are_dropped_not_stored(tmp_path):
    # JSON's \u0000 is a NUL, which PostgreSQL refuses: the whole batch used to fail.
    path = tmp_path / "nul.jsonl"
    path.write_text(
        '{"id": "1706.03762", "title": "Attention\\u0000 is all\\u001b you need", '
        '"authors": "A. Vaswani\\u0007", "abstract": "We\\u0000 propose"}\n'
    )
    report = runs.import_arxiv_snapshot(path)
    assert report.errors == [] and report.created == 1
    paper = Paper.objects.get()
    assert paper.title == "Attention is all you need"
    assert paper.authors == ["A. Vaswani"] and paper.abstract == "We propose"
