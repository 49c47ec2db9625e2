"""Writes are rate limited per user and per IP, with a clear 429 and a retry time."""

import pytest

from shortscience.models import Comment
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def test_commenting_past_the_limit_gets_a_429_with_retry_after(client_for, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "commenting": "3/3600"}
    summary = make_summary()
    client = client_for(make_user())
    for i in range(3):
        assert (
            client.post(f"/summaries/{summary.pk}/comments/", {"markdown": f"c{i}"}).status_code
            == 302
        )
    refused = client.post(f"/summaries/{summary.pk}/comments/", {"markdown": "one too many"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Try again in" in refused.content.decode()
    assert Comment.objects.count() == 3


def test_people_behind_one_address_each_have_their_own_limit(client_for, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "voting": "1/60"}
    summaries = [make_summary() for _ in range(3)]
    for summary in summaries:  # three people on one NAT, one vote each
        response = client_for(make_user()).post(f"/summaries/{summary.pk}/vote/", {"value": "up"})
        assert response.status_code == 302


def test_the_address_of_signed_in_people_has_a_looser_limit_too(client_for, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "voting": "1/60"}
    settings.RATE_LIMITS_SIGNED_IN_IP_FACTOR = 2
    summaries = [make_summary() for _ in range(3)]
    for summary in summaries[:2]:
        client_for(make_user()).post(f"/summaries/{summary.pk}/vote/", {"value": "up"})
    third = client_for(make_user()).post(
        f"/summaries/{summaries[2].pk}/vote/", {"value": "up"}, HTTP_ACCEPT="application/json"
    )
    assert third.status_code == 429 and third.json()["code"] == "RateLimited"


def test_a_different_ip_is_counted_separately(client_for, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "voting": "1/60"}
    first, second = make_summary(), make_summary()
    client_for(make_user()).post(f"/summaries/{first.pk}/vote/", {"value": "up"})
    other = client_for(make_user()).post(
        f"/summaries/{second.pk}/vote/", {"value": "up"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302


def test_reading_is_never_limited(client, settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "1/3600")
    summary = make_summary()
    for _ in range(5):
        assert client.get(f"/summaries/{summary.pk}/").status_code == 200


def test_lookups_on_the_add_page_count_but_the_empty_page_does_not(
    client_for, settings, monkeypatch
):
    from shortscience.services import outbound
    from tests.recorded import recorded_fetcher

    fetcher = recorded_fetcher()
    monkeypatch.setattr(outbound, "fetcher", lambda: fetcher)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "paper_lookup": "1/3600"}
    client = client_for(make_user())
    assert client.get("/add/").status_code == 200
    assert client.get("/add/", {"q": "1706.03762"}).status_code == 200
    assert client.get("/add/", {"q": "1706.03762"}).status_code == 429
