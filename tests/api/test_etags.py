"""Every successful GET carries an ETag; asking again with If-None-Match gets a bodiless 304
until the answer changes."""

import pytest

from shortscience.services import votes
from tests.api.conftest import with_token
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def test_a_repeated_get_with_the_etag_is_a_304_without_a_body(stranger):
    summary = make_summary()
    first = stranger.get(f"/summaries/{summary.pk}")
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = stranger.get(f"/summaries/{summary.pk}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_the_etag_changes_when_the_answer_changes(stranger):
    summary = make_summary()
    etag = stranger.get(f"/summaries/{summary.pk}")["ETag"]
    votes.cast(make_user(), summary.pk, 1)
    fresh = stranger.get(f"/summaries/{summary.pk}", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.json()["score"] == 1
    assert fresh["ETag"] != etag


def test_lists_and_other_reads_carry_etags_too(stranger):
    summary = make_summary()
    for url in ("/summaries", "/activity", f"/papers/{summary.paper_id}", "/venues"):
        etag = stranger.get(url)["ETag"]
        assert stranger.get(url, headers={"If-None-Match": etag}).status_code == 304, url


def test_answers_vary_by_who_asks():
    summary = make_summary()
    response = with_token(make_user(), "read").get(f"/summaries/{summary.pk}")
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_errors_and_writes_carry_no_etag(stranger):
    summary = make_summary()
    assert not stranger.get("/summaries/999999").has_header("ETag")
    vote = with_token(make_user()).post(f"/summaries/{summary.pk}/vote", {"value": "up"})
    assert vote.status_code == 200 and not vote.has_header("ETag")
