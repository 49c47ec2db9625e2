"""API writes count against the same per-person and per-address limits as the pages."""

import pytest

from shortscience.models import Comment, Summary
from tests.api.conftest import error_shape, with_session, with_token
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_voting_past_the_limit_is_a_429_with_retry_after(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "voting": "2/3600"}
    client = with_token(make_user())
    targets = [make_summary() for _ in range(3)]
    for summary in targets[:2]:
        assert client.post(f"/summaries/{summary.pk}/vote", {"value": "up"}).status_code == 200
    refused = client.post(f"/summaries/{targets[2].pk}/vote", {"value": "up"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    body = error_shape(refused)
    assert body["code"] == "RateLimited" and "Try again in" in body["message"]
    assert Summary.objects.get(pk=targets[2].pk).score == 0


def test_the_api_and_the_pages_share_one_counter(settings, client_for):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "commenting": "2/3600"}
    user = make_user()
    summary = make_summary()
    page = client_for(user).post(f"/summaries/{summary.pk}/comments/", {"markdown": "page"})
    assert page.status_code == 302
    assert (
        with_token(user).post(f"/summaries/{summary.pk}/comments", {"markdown": "api"}).status_code
        == 201
    )
    third = with_session(user).post(f"/summaries/{summary.pk}/comments", {"markdown": "again"})
    assert third.status_code == 429
    assert Comment.objects.count() == 2


def test_publishing_is_limited_per_person_and_more_loosely_per_address(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "publishing": "1/3600"}
    settings.RATE_LIMITS_SIGNED_IN_IP_FACTOR = 2
    person = with_token(make_user())
    assert person.put(f"/papers/{make_paper().pk}/summary", {"markdown": "a"}).status_code == 200
    again = person.put(f"/papers/{make_paper().pk}/summary", {"markdown": "b"})
    assert again.status_code == 429
    second_person = with_token(make_user())  # behind the same address: their own limit
    same_ip = second_person.put(f"/papers/{make_paper().pk}/summary", {"markdown": "c"})
    assert same_ip.status_code == 200
    third_person = with_token(make_user())  # past twice the limit from that address
    crowded = third_person.put(f"/papers/{make_paper().pk}/summary", {"markdown": "d"})
    assert crowded.status_code == 429
    other_ip = third_person.put(
        f"/papers/{make_paper().pk}/summary", {"markdown": "e"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other_ip.status_code == 200


def test_reading_is_never_limited(stranger, settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "1/3600")
    summary = make_summary()
    for _ in range(5):
        assert stranger.get(f"/summaries/{summary.pk}").status_code == 200
