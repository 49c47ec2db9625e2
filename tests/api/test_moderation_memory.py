"""Through the API, as on the pages: `DELETE` and `PUT /papers/{id}/summary` again after a hide
gives a held copy, and so does deleting a hidden comment and posting it again."""

import pytest

from shortscience.models import Comment, Summary
from shortscience.services import moderation
from tests.api.conftest import with_token
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def _queued(moderator) -> list[tuple[str, int]]:
    return [(item.target.kind, item.target.pk) for item in moderation.queue(moderator)]


def test_deleting_a_hidden_summary_and_putting_it_again_gives_a_held_copy(stranger, moderator):
    paper, spammer = make_paper(), make_user()
    api = with_token(spammer)
    first = api.put(f"/papers/{paper.pk}/summary", {"markdown": "Buy pills"}).json()
    moderation.act(moderator, "hide", "summary", first["id"], "spam")
    assert api.delete(f"/summaries/{first['id']}").status_code == 204

    response = api.put(f"/papers/{paper.pk}/summary", {"markdown": "Buy pills, again"})

    assert response.status_code == 200
    body = response.json()
    assert body["hidden"] is True
    assert Summary.objects.get(pk=body["id"]).is_hidden
    listed = stranger.get(f"/papers/{paper.pk}/summaries").json()
    assert [s["id"] for s in listed] == []
    assert stranger.get(f"/summaries/{body['id']}").status_code == 404
    assert ("summary", body["id"]) in _queued(moderator)


def test_deleting_a_hidden_comment_and_posting_it_again_gives_a_held_copy(stranger, moderator):
    summary, troll = make_summary(), make_user()
    api = with_token(troll)
    first = api.post(f"/summaries/{summary.pk}/comments", {"markdown": "rude"}).json()
    moderation.act(moderator, "hide", "comment", first["id"], "abusive")
    assert api.delete(f"/comments/{first['id']}").status_code == 204

    response = api.post(f"/summaries/{summary.pk}/comments", {"markdown": "rude again"})

    assert response.status_code == 201
    again = Comment.objects.get(pk=response.json()["id"])
    assert again.is_hidden
    shown = stranger.get(f"/summaries/{summary.pk}/comments").json()["items"]
    assert all(item["html"] == "" for item in shown)
    assert "rude again" not in str(shown)
    assert ("comment", again.pk) in _queued(moderator)
