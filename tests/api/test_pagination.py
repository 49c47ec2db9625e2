"""Cursor paging: every row exactly once, in order, however the rows tie; cursors are opaque
and checked."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import Summary
from tests.api.conftest import error_shape
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def walk(client, url: str, **params) -> list[int]:
    seen: list[int] = []
    pages = 0
    response = client.get(url, data=params)
    while True:
        body = response.json()
        assert response.status_code == 200, body
        assert len(body["items"]) <= params.get("limit", 20)
        seen += [s["id"] for s in body["items"]]
        pages += 1
        assert pages < 100
        if body["next"] is None:
            assert body["next_cursor"] is None
            return seen
        assert body["next"].startswith("http://testserver/api/v1/")
        response = client.get(body["next"].removeprefix("http://testserver/api/v1"))


@pytest.fixture
def many():
    """23 public summaries with deliberate ties: equal scores and equal publication times."""
    now = timezone.now()
    author = make_user()  # one author: hashing 23 passwords would dominate the test's time
    rows = [make_summary(author=author, markdown=f"Summary {n}") for n in range(23)]
    for n, summary in enumerate(rows):
        Summary.objects.filter(pk=summary.pk).update(
            score=n % 3,
            published_at=now - timedelta(minutes=n // 4),
            last_activity_at=now - timedelta(minutes=n % 5),
            recent_views=n % 4,  # ties, for the Popular order
        )
    make_summary(private=True)
    make_summary(publish=False)
    return list(Summary.objects.filter(pk__in=[s.pk for s in rows]))


@pytest.mark.parametrize(
    ("order", "key"),
    [
        ("recent", lambda s: (s.published_at, s.pk)),
        ("best", lambda s: (s.score, s.published_at, s.pk)),
        ("popular", lambda s: (s.last_activity_at, s.pk)),
        ("viewed", lambda s: (s.recent_views, s.pk)),
    ],
)
@pytest.mark.parametrize("limit", [1, 4, 7, 100])
def test_paging_returns_every_public_summary_exactly_once_in_order(
    stranger, many, order, key, limit
):
    expected = [s.pk for s in sorted(many, key=key, reverse=True)]
    assert walk(stranger, "/summaries", order=order, limit=limit) == expected


def test_the_activity_feed_pages_the_same_way(stranger, many):
    expected = [s.pk for s in sorted(many, key=lambda s: (s.published_at, s.pk), reverse=True)]
    assert walk(stranger, "/activity", limit=5) == expected


def test_a_new_summary_does_not_shift_the_pages_already_started(stranger, many):
    first = stranger.get("/summaries", data={"limit": 5}).json()
    make_summary()
    rest = walk(stranger, "/summaries", limit=5, cursor=first["next_cursor"])
    seen = [s["id"] for s in first["items"]] + rest
    assert len(seen) == len(set(seen)) == 23


def test_limit_is_between_1_and_100(stranger):
    for limit in (0, 101, -1):
        response = stranger.get("/summaries", data={"limit": limit})
        assert response.status_code == 422
        assert "limit" in error_shape(response)["fields"]


def test_a_garbled_cursor_is_a_400_naming_the_cursor(stranger, many):
    forged = base64.urlsafe_b64encode(json.dumps({"o": "x", "v": [1]}).encode()).decode()
    naive = base64.urlsafe_b64encode(
        json.dumps({"o": "-published_at,-pk", "v": ["2020-01-01T00:00:00", 1]}).encode()
    ).decode()
    huge = base64.urlsafe_b64encode(
        json.dumps({"o": "-published_at,-pk", "v": ["2020-01-01T00:00:00+00:00", 10**30]}).encode()
    ).decode()
    for cursor in ("not-base64!", "e30", forged, naive, huge, "%%%", "\u00e9"):
        response = stranger.get("/summaries", data={"cursor": cursor})
        assert response.status_code == 400, cursor
        body = error_shape(response)
        assert body["code"] == "InvalidInput" and "cursor" in body["fields"]


def test_a_cursor_of_one_order_is_refused_by_another(stranger, many):
    cursor = stranger.get("/summaries", data={"order": "best", "limit": 2}).json()["next_cursor"]
    assert stranger.get("/summaries", data={"order": "best", "cursor": cursor}).status_code == 200
    refused = stranger.get("/summaries", data={"order": "popular", "cursor": cursor})
    assert refused.status_code == 400
