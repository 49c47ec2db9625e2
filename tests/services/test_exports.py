"""The personal export: everything a person wrote, in formats other tools read, and nothing
private of anyone else."""

import csv
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shortscience.metadata.bibtex import parse_bibtex
from shortscience.models import Paper, PaperIdentifier, Summary, SummaryImage
from shortscience.services import comments, exports, summaries, votes
from shortscience.services.imports.legacy_csv import import_legacy_csv
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def export_of(user) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    exports.write_zip(user, buffer)
    buffer.seek(0)
    return zipfile.ZipFile(buffer)


def data_of(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("data.json"))


def test_the_export_holds_every_summary_with_its_revisions_comments_votes_and_no_follows():
    ada = make_user("ada", display_name="Ada L.", orcid="0000-0002-1825-0097")
    paper = make_paper("Attention Is All You Need")
    summary = make_summary(ada, paper, "First take.")
    make_summary(ada, paper, "Second, better take.")
    draft = make_summary(ada, make_paper(), "Half done.", publish=False)
    private = make_summary(ada, make_paper(), "For me only.", private=True)
    anonymous = make_summary(ada, make_paper(), "Nobody knows.", anonymous=True)
    other = make_summary(make_user(), make_paper(), "Somebody else's.")
    votes.cast(ada, other.pk, -1)
    comment = comments.add(ada, other.pk, "I disagree.")
    data = data_of(export_of(ada))
    assert data["format_version"] == exports.FORMAT_VERSION
    assert data["profile"]["username"] == "ada" and data["profile"]["orcid"] == (
        "0000-0002-1825-0097"
    )
    assert data["profile"]["email_addresses"] == [
        {"email": "ada@example.org", "verified": True, "primary": True}
    ]
    by_id = {s["id"]: s for s in data["summaries"]}
    assert set(by_id) == {summary.pk, draft.pk, private.pk, anonymous.pk}
    assert [r["markdown"] for r in by_id[summary.pk]["revisions"]] == [
        "First take.",
        "Second, better take.",
    ]
    assert by_id[draft.pk]["status"] == "draft"
    assert by_id[private.pk]["visibility"] == "private"
    assert by_id[anonymous.pk]["anonymous"] is True
    assert by_id[summary.pk]["paper"]["title"] == "Attention Is All You Need"
    assert by_id[summary.pk]["paper"]["identifiers"][0]["scheme"] == "arxiv"
    assert data["comments"][0]["id"] == comment.pk and data["comments"][0]["markdown"] == (
        "I disagree."
    )
    assert data["votes"] == [
        {
            "summary_id": other.pk,
            "value": -1,
            "created_at": data["votes"][0]["created_at"],
            "updated_at": data["votes"][0]["updated_at"],
        }
    ]
    assert data["follows"] == []


def test_the_export_holds_what_the_person_follows_and_their_mail_setting():
    from shortscience.services import follows

    ada = make_user("ada", email_notifications="daily")
    paper, bob = make_paper(), make_user()
    follows.follow(ada, "paper", paper.pk)
    follows.follow(ada, "user", bob.pk)
    follows.follow(bob, "paper", paper.pk)
    data = data_of(export_of(ada))
    assert data["profile"]["email_notifications"] == "daily"
    assert [(f["paper_id"], f["user_id"], f["summary_id"]) for f in data["follows"]] == [
        (paper.pk, None, None),
        (None, bob.pk, None),
    ]


def test_each_summary_is_a_markdown_file_with_yaml_front_matter():
    yaml = pytest.importorskip("yaml")
    ada = make_user("ada")
    paper = make_paper('Colons: "quotes", #hashes and\u2028odd\x85separators')
    PaperIdentifier.objects.create(paper=paper, scheme="doi", value="10.1000/xyz")
    summary = make_summary(ada, paper, "# Idea\n\nIt works.", anonymous=True)
    archive = export_of(ada)
    name = f"summaries/colons-quotes-hashes-andoddseparators-{summary.pk}.md"
    assert name in archive.namelist()
    text = archive.read(name).decode()
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["title"] == paper.title
    assert meta["identifiers"] == [
        f"arxiv:{paper.identifiers.get(scheme='arxiv').value}",
        "doi:10.1000/xyz",
    ]
    assert meta["status"] == "published" and meta["visibility"] == "public"
    assert meta["anonymous"] is True and meta["score"] == 0
    assert meta["edited"] is None and meta["published"].endswith("+00:00")
    assert body == "\n# Idea\n\nIt works.\n"


def test_papers_bib_escapes_latex_specials_and_keeps_braces_balanced():
    ada = make_user("ada")
    tricky = make_paper("50% of R&D: the $\\ell_1$ trick for a_b #1 {BERT}")
    tricky.authors = ["Jürgen Müller", "Smith, Jr., John", "Research and Development Lab"]
    tricky.save()
    lone = make_paper("An open { brace, a back\\slash, ~tilde and ^caret")
    make_summary(ada, tricky)
    make_summary(ada, lone)
    text = export_of(ada).read("papers.bib").decode()
    assert "{{50\\% of R\\&D: the $\\ell_1$ trick for a\\_b \\#1 \\{BERT\\}}}" in text
    assert "An open \\textbraceleft{} brace, a back\\textbackslash{}slash," in text
    assert "\\textasciitilde{}tilde and \\textasciicircum{}caret" in text
    assert "{Smith, Jr., John}" in text and "{Research and Development Lab}" in text
    entries = parse_bibtex(text)  # pybtex reads the whole file: every field's braces balance
    assert len(entries) == 2
    first = entries[0]
    assert first.title == tricky.title
    assert first.authors == ["Jürgen Müller", "Smith, Jr., John", "Research and Development Lab"]
    assert first.year == 2017
    assert any(i.scheme == "arxiv" for i in first.identifiers)


def test_the_legacy_csv_reimports_as_the_same_summaries_for_a_fresh_user(tmp_path):
    ada = make_user("ada")
    arxiv_paper = make_paper()
    legacy_paper = make_paper()
    PaperIdentifier.objects.create(
        paper=legacy_paper, scheme="legacy", value="journals/corr/OldSiteKey15"
    )
    doi_paper = Paper.objects.create(title="Only a DOI")
    PaperIdentifier.objects.create(paper=doi_paper, scheme="doi", value="10.1145/3292500.3330701")
    tricky = 'Commas, "quotes",\nnew lines\n\nand $x^2$ math.'
    make_summary(ada, arxiv_paper, tricky)
    make_summary(ada, legacy_paper, "Legacy keyed.")
    make_summary(ada, doi_paper, "DOI keyed.")
    make_summary(ada, make_paper(), "Still a draft.", publish=False)
    make_summary(ada, make_paper(), "Private.", private=True)
    make_summary(ada, make_paper(), "Anonymous.", anonymous=True)
    rows = list(csv.reader(io.StringIO(export_of(ada).read("shortscience-legacy.csv").decode())))
    assert [key for key, _ in rows] == [
        arxiv_paper.identifiers.get().value,
        "journals/corr/OldSiteKey15",
        "10.1145/3292500.3330701",
    ]
    path = tmp_path / "legacy.csv"
    path.write_bytes(export_of(ada).read("shortscience-legacy.csv"))
    fresh = make_user("fresh")
    report = import_legacy_csv(path, fresh)
    assert report.errors == [] and report.imported == 3 and report.placeholders == 0
    mine = Summary.objects.filter(author=fresh)
    assert {(s.paper_id, s.markdown) for s in mine} == {
        (arxiv_paper.pk, tricky),
        (legacy_paper.pk, "Legacy keyed."),
        (doi_paper.pk, "DOI keyed."),
    }
    assert all(s.is_public and not s.is_anonymous for s in mine)


def test_uploaded_images_are_in_the_archive(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ada = make_user("ada")
    image = SummaryImage.objects.create(
        uploader=ada, file=ContentFile(b"\x89PNG fake", name="abc.png"), width=1, height=1
    )
    archive = export_of(ada)
    name = f"images/{image.file.name.rsplit('/', 1)[-1]}"
    assert archive.read(name) == b"\x89PNG fake"
    assert data_of(archive)["images"][0]["file"] == name


def test_the_export_holds_nothing_private_of_anyone_else():
    ada, bob = make_user("ada"), make_user("bob")
    shared_paper = make_paper()
    make_summary(ada, shared_paper, "Ada's view.")
    bobs_public = make_summary(bob, make_paper(), "Bob public text.")
    bobs_private = make_summary(bob, make_paper(), "Bob private text.", private=True)
    summaries.set_share_link(bobs_private.pk, bob, enabled=True)
    make_summary(bob, shared_paper, "Bob anonymous text.", anonymous=True)
    make_summary(bob, make_paper(), "Bob draft text.", publish=False)
    comments.add(ada, bobs_public.pk, "Ada asks a question.")
    comments.add(bob, bobs_public.pk, "Bob answers.")
    votes.cast(ada, bobs_public.pk, 1)
    votes.cast(bob, Summary.objects.get(author=ada).pk, 1)
    archive = export_of(ada)
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    token = Summary.objects.get(pk=bobs_private.pk).share_token
    assert token is not None
    for secret in (
        "bob@example.org",
        "Bob private text.",
        "Bob anonymous text.",
        "Bob draft text.",
        "Bob answers.",
        "Bob public text.",
        token,
        "bob",
    ):
        assert secret not in everything, secret
    assert "Ada asks a question." in everything


def test_the_export_costs_the_same_queries_for_few_or_many_summaries():
    def queries_for(count: int) -> int:
        person, other = make_user(), make_user()
        for n in range(count):
            mine = make_summary(person, make_paper(), f"Summary {n}.")
            make_summary(person, mine.paper, f"Summary {n}, revised.")
            theirs = make_summary(other, make_paper())
            comments.add(person, theirs.pk, f"Comment {n}.")
            votes.cast(person, theirs.pk, 1)
        with CaptureQueriesContext(connection) as captured:
            export_of(person)
        return len(captured)

    assert queries_for(2) == queries_for(8)
