"""The library through the API: lists, save / move / status / note, export; read tokens read,
write tokens change; nobody reaches another person's list."""

from __future__ import annotations

import json

import pytest

from shortscience.models import SavedPaper
from shortscience.services import library
from tests.api.conftest import with_token
from tests.factories import make_paper, make_user

pytestmark = pytest.mark.django_db


def test_a_reader_creates_a_list_saves_a_paper_into_it_and_sets_status_and_note():
    ada, paper = make_user(), make_paper("Saved by API")
    client = with_token(ada)
    created = client.post("/library/lists", {"name": "Later"})
    assert created.status_code == 201
    list_id = created.json()["id"]
    saved = client.put(
        f"/library/papers/{paper.pk}", {"list_id": list_id, "status": "read", "note": "$x^2$"}
    )
    assert saved.status_code == 200, saved.json()
    body = saved.json()
    assert (body["list_id"], body["status"], body["title"]) == (list_id, "read", "Saved by API")
    assert body["note_html"]
    listed = client.get(f"/library/lists/{list_id}/papers").json()["items"]
    assert [e["paper_id"] for e in listed] == [paper.pk]
    names = [rl["name"] for rl in client.get("/library/lists").json()["items"]]
    assert names == ["Later"]
    exported = client.get(f"/library/lists/{list_id}/export?format=csl-json").json()
    assert json.loads(exported["content"])[0]["title"] == "Saved by API"
    assert client.delete(f"/library/papers/{paper.pk}").status_code == 204
    assert not SavedPaper.objects.filter(owner=ada).exists()


def test_a_read_token_reads_but_does_not_save():
    ada, paper = make_user(), make_paper()
    library.save(ada, paper.pk)
    client = with_token(ada, "read")
    assert client.get("/library/lists").status_code == 200
    assert client.put(f"/library/papers/{paper.pk}", {}).status_code == 403


def test_another_persons_list_is_not_found():
    owner, stranger = make_user(), make_user()
    theirs = library.create_list(owner, "Theirs", public=True)
    client = with_token(stranger)
    assert client.get(f"/library/lists/{theirs.pk}/papers").status_code == 404
    assert (
        client.put(f"/library/papers/{make_paper().pk}", {"list_id": theirs.pk}).status_code == 404
    )
    assert client.get("/library/lists").json()["items"] == []
