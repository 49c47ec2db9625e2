"""The reader's library: lists, saving and moving, status, notes, privacy, export and import."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import PaperIdentifier, ReadingList, SavedPaper
from shortscience.services import accounts, exports, library
from shortscience.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.factories import PASSWORD, make_paper, make_user

pytestmark = pytest.mark.django_db


def test_the_first_save_creates_the_default_reading_list():
    reader = make_user()
    paper = make_paper()
    entry = library.save(reader, paper.pk)
    assert entry.reading_list.name == "Reading list"
    assert entry.reading_list.is_default
    assert entry.status == SavedPaper.Status.TO_READ
    assert library.save(reader, paper.pk).pk == entry.pk  # saving again changes nothing


def test_saving_into_another_list_moves_the_paper():
    reader = make_user()
    paper = make_paper()
    library.save(reader, paper.pk)
    later = library.create_list(reader, "Later")
    moved = library.save(reader, paper.pk, later.pk)
    assert moved.reading_list_id == later.pk
    assert SavedPaper.objects.filter(owner=reader).count() == 1


def test_a_list_name_is_unique_per_reader_and_cleaned():
    reader = make_user()
    library.create_list(reader, "  Deep   learning ")
    with pytest.raises(Conflict):
        library.create_list(reader, "Deep learning")
    with pytest.raises(InvalidInput):
        library.create_list(reader, "   ")
    assert library.create_list(make_user(), "Deep learning").name == "Deep learning"


def test_the_default_list_cannot_be_deleted_but_others_can_with_their_papers():
    reader = make_user()
    paper = make_paper()
    default = library.save(reader, paper.pk).reading_list
    with pytest.raises(InvalidInput):
        library.delete_list(reader, default.pk)
    other = library.create_list(reader, "Other")
    library.save(reader, paper.pk, other.pk)
    library.delete_list(reader, other.pk)
    assert not SavedPaper.objects.filter(owner=reader).exists()


def test_nobody_changes_or_sees_someone_elses_private_list():
    owner, stranger = make_user(), make_user()
    private = library.create_list(owner, "Mine")
    with pytest.raises(NotFound):
        library.update_list(stranger, private.pk, name="Hijacked")
    with pytest.raises(NotFound):
        library.save(stranger, make_paper().pk, private.pk)
    with pytest.raises(NotFound):
        library.visible_list(stranger, private.pk)
    with pytest.raises(NotFound):
        library.visible_list(None, private.pk)


def test_a_public_list_is_visible_to_anyone_until_made_private_again():
    owner = make_user()
    shown = library.create_list(owner, "Shown")
    library.update_list(owner, shown.pk, public=True)
    found, is_owner = library.visible_list(None, shown.pk)
    assert found.pk == shown.pk and not is_owner
    library.update_list(owner, shown.pk, public=False)
    with pytest.raises(NotFound):
        library.public_list(shown.pk)


def test_a_banned_owners_public_list_is_gone():
    owner = make_user()
    shown = library.create_list(owner, "Shown", public=True)
    owner.is_active = False
    owner.save()
    with pytest.raises(NotFound):
        library.public_list(shown.pk)


def test_status_and_note_save_the_paper_and_the_note_is_rendered_with_math():
    reader = make_user()
    paper = make_paper()
    entry = library.set_status(reader, paper.pk, "read")
    assert entry.status == "read"
    entry = library.set_note(reader, paper.pk, "Key idea: $e^{i\\pi} + 1 = 0$ **really**")
    assert "<strong>really</strong>" in entry.note_html
    assert "<math" in entry.note_html
    assert entry.renderer_version > 0
    with pytest.raises(InvalidInput):
        library.set_status(reader, paper.pk, "skimmed")


def test_a_suspended_reader_cannot_save():
    reader = make_user(suspended_until=timezone.now() + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        library.save(reader, make_paper().pk)
    assert not ReadingList.objects.filter(owner=reader).exists()


def test_export_as_bibtex_and_csl_json_lists_the_papers_and_never_notes():
    reader = make_user()
    paper = make_paper("Attention is all you need", year=2017)
    paper.authors = ["Ashish Vaswani"]
    paper.save()
    PaperIdentifier.objects.create(paper=paper, scheme="doi", value="10.1000/xyz")
    entry = library.set_note(reader, paper.pk, "secret thoughts")
    bib = library.export_bibtex(entry.reading_list)
    assert "Attention is all you need" in bib and "secret" not in bib
    [item] = json.loads(library.export_csl(entry.reading_list))
    assert item["title"] == "Attention is all you need"
    assert item["author"] == [{"given": "Ashish", "family": "Vaswani"}]
    assert item["issued"] == {"date-parts": [[2017]]}
    assert item["DOI"] == "10.1000/xyz"


BIB = """@article{known,
  title = {A known paper},
  author = {Doe, Jane},
  doi = {10.1000/known},
  year = {2020}
}

@article{broken,
  title = {Broken entry
  year = 2021,

@article{fresh,
  title = {A fresh paper},
  author = {Roe, Richard},
  year = {2022}
}
"""


def test_import_matches_by_doi_creates_the_rest_and_reports_a_bad_entry_by_line():
    reader = make_user()
    known = make_paper("A known paper")
    PaperIdentifier.objects.create(paper=known, scheme="doi", value="10.1000/known")
    into = library.create_list(reader, "Imported")
    report = library.import_bibtex(reader, into.pk, BIB)
    assert [r.outcome for r in report] == ["saved", "error", "saved"]
    assert report[0].paper_id == known.pk
    assert report[1].line >= 8 and report[1].key == "broken"
    assert report[2].paper_id is not None
    fresh = SavedPaper.objects.get(owner=reader, paper_id=report[2].paper_id)
    assert fresh.paper.title == "A fresh paper" and fresh.reading_list_id == into.pk
    again = library.import_bibtex(reader, into.pk, BIB)
    assert again[0].outcome == "already saved"


def test_the_personal_export_holds_the_library_and_deletion_removes_it():
    reader = make_user()
    paper = make_paper()
    library.set_note(reader, paper.pk, "mine")
    data = exports.collect(reader, [], [], timezone.now())
    assert data["library"]["saved_papers"][0]["note_markdown"] == "mine"
    reader_id = reader.pk
    accounts.delete_account(reader, PASSWORD, accounts.Mode.ANONYMISE)
    assert not SavedPaper.objects.filter(owner_id=reader_id).exists()
    assert not ReadingList.objects.filter(owner_id=reader_id).exists()


def test_rerender_notes_renders_notes_of_an_older_renderer():
    reader = make_user()
    entry = library.set_note(reader, make_paper().pk, "*again*")
    SavedPaper.objects.filter(pk=entry.pk).update(renderer_version=0, note_html="")
    assert library.rerender_notes() == 1
    entry.refresh_from_db()
    assert "<em>again</em>" in entry.note_html
