"""The library pages: saving from the paper page (form and htmx), My library, list pages,
privacy of lists and notes, exports and the BibTeX import form."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shortscience.models import SavedPaper
from shortscience.services import library
from tests.factories import make_paper, make_user

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_sees_a_save_link_to_sign_in():
    paper = make_paper()
    page = Client().get(reverse("paper", args=[paper.pk])).content.decode()
    assert "Save (sign in)" in page and "/accounts/login/" in page


def test_the_paper_page_leaves_the_readers_saved_state_to_htmx(client_for):
    reader = make_user()
    paper = make_paper()
    library.set_note(reader, paper.pk, "private thought")
    page = client_for(reader).get(reverse("paper", args=[paper.pk])).content.decode()
    assert f'hx-get="{reverse("library-paper", args=[paper.pk])}"' in page
    assert "Saved in" not in page and "private thought" not in page  # shared copy stays neutral


def test_saving_with_a_plain_form_redirects_back_and_the_state_shows_it(client_for):
    reader = make_user()
    paper = make_paper()
    client = client_for(reader)
    url = reverse("library-paper", args=[paper.pk])
    back = reverse("paper", args=[paper.pk])
    response = client.post(url, {"action": "save", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    state = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Saved in" in state and "Reading list" in state


def test_an_htmx_status_change_swaps_the_partial(client_for):
    reader = make_user()
    paper = make_paper()
    library.save(reader, paper.pk)
    response = client_for(reader).post(
        reverse("library-paper", args=[paper.pk]),
        {"action": "status", "status": "read"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert '<option value="read" selected>' in response.content.decode()
    assert SavedPaper.objects.get(owner=reader).status == "read"


def test_my_library_lists_papers_filtered_by_status_in_bounded_queries(
    client_for, django_assert_max_num_queries
):
    reader = make_user()
    for n in range(6):
        library.set_note(reader, make_paper(f"Paper number {n}").pk, f"note {n}")
    first = SavedPaper.objects.filter(owner=reader).order_by("pk")[0]
    library.set_status(reader, first.paper_id, "read")
    client = client_for(reader)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("library")).content.decode()
    assert page.count("Paper number") == 6 and "note 3" in page
    read_only = client.get(reverse("library") + "?status=read").content.decode()
    assert read_only.count("Paper number") == 1


def test_a_private_list_is_404_to_others_and_a_public_one_shows_papers_but_no_notes(client_for):
    owner = make_user()
    paper = make_paper("Shared reading")
    entry = library.set_note(owner, paper.pk, "my secret note")
    url = entry.reading_list.get_absolute_url()
    assert Client().get(url).status_code == 404
    assert client_for(make_user()).get(url).status_code == 404
    assert (
        Client().get(reverse("library-export", args=[entry.reading_list.pk, "bib"])).status_code
        == 404
    )
    library.update_list(owner, entry.reading_list.pk, public=True)
    page = Client().get(url).content.decode()
    assert "Shared reading" in page and "my secret note" not in page
    csl = Client().get(reverse("library-export", args=[entry.reading_list.pk, "json"]))
    assert json.loads(csl.content)[0]["title"] == "Shared reading"
    assert "attachment" in csl["Content-Disposition"]


def test_the_owner_creates_renames_publishes_and_deletes_a_list(client_for):
    owner = make_user()
    client = client_for(owner)
    response = client.post(reverse("library-list-create"), {"name": "To skim"})
    found = library.lists_of(owner)[0]
    assert response.status_code == 302 and found.name == "To skim"
    edit = reverse("library-list-edit", args=[found.pk])
    client.post(edit, {"action": "rename", "name": "Skimmed"})
    client.post(edit, {"action": "public"})
    found.refresh_from_db()
    assert found.name == "Skimmed" and found.is_public
    assert client.get(found.get_absolute_url()).status_code == 200
    client.post(edit, {"action": "delete"})
    assert library.lists_of(owner) == []


def test_the_import_form_reports_each_entry(client_for):
    owner = make_user()
    into = library.create_list(owner, "Imported")
    upload = SimpleUploadedFile(
        "refs.bib", b"@article{a, title={An imported paper}, author={Doe, Jane}, year={2020}}\n"
    )
    page = client_for(owner).post(reverse("library-import", args=[into.pk]), {"file": upload})
    assert page.status_code == 200
    assert "saved" in page.content.decode() and "An imported paper" in page.content.decode()


def test_the_note_page_shows_the_rendered_note(client_for):
    owner = make_user()
    paper = make_paper()
    library.set_note(owner, paper.pk, "**bold** idea")
    page = client_for(owner).get(reverse("library-note", args=[paper.pk])).content.decode()
    assert "<strong>bold</strong>" in page


def test_a_list_page_and_the_paper_state_cost_bounded_queries(
    client_for, django_assert_max_num_queries
):
    owner = make_user()
    entries = [library.save(owner, make_paper().pk) for _ in range(5)]
    reading_list = entries[0].reading_list
    library.update_list(owner, reading_list.pk, public=True)
    client = client_for(owner)
    with django_assert_max_num_queries(10):
        assert client.get(reading_list.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(10):
        assert Client().get(reading_list.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(10):
        state = client.get(reverse("library-paper", args=[entries[0].paper_id]))
        assert state.status_code == 200
