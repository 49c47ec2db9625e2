"""Voting through the API: up, down, retract; never on your own or a non-public summary."""

import pytest

from shortscience.models import Vote
from tests.api.conftest import error_shape, with_token
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def test_a_vote_counts_and_a_second_vote_replaces_the_first():
    summary = make_summary()
    client = with_token(make_user())
    first = client.post(f"/summaries/{summary.pk}/vote", {"value": "up"})
    assert first.status_code == 200
    assert first.json() == {"summary_id": summary.pk, "score": 1, "my_vote": 1}
    assert client.post(f"/summaries/{summary.pk}/vote", {"value": "down"}).json()["score"] == -1
    assert Vote.objects.filter(summary=summary).count() == 1


def test_retracting_removes_the_vote():
    summary = make_summary()
    client = with_token(make_user())
    client.post(f"/summaries/{summary.pk}/vote", {"value": "up"})
    body = client.post(f"/summaries/{summary.pk}/vote", {"value": "retract"}).json()
    assert body == {"summary_id": summary.pk, "score": 0, "my_vote": 0}
    assert not Vote.objects.exists()


def test_a_vote_is_up_down_or_retract():
    summary = make_summary()
    response = with_token(make_user()).post(f"/summaries/{summary.pk}/vote", {"value": "sideways"})
    assert response.status_code == 422
    assert "value" in error_shape(response)["fields"]


def test_nobody_votes_on_their_own_summary():
    summary = make_summary()
    response = with_token(summary.author).post(f"/summaries/{summary.pk}/vote", {"value": "up"})
    assert response.status_code == 403
    assert error_shape(response)["code"] == "PermissionDenied"


def test_a_private_or_draft_summary_cannot_be_voted_on():
    client = with_token(make_user())
    for summary in (make_summary(private=True), make_summary(publish=False)):
        response = client.post(f"/summaries/{summary.pk}/vote", {"value": "up"})
        assert response.status_code == 404
    assert not Vote.objects.exists()
