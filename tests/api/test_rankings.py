"""The API's ranked lists take the home page's sort names, periods and fields."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import Summary
from shortscience.services import rankings
from tests.api.conftest import error_shape
from tests.factories import make_paper, make_summary

pytestmark = pytest.mark.django_db


def ids(client, **params):
    response = client.get("/summaries", data=params)
    assert response.status_code == 200, response.content
    return [s["id"] for s in response.json()["items"]]


def test_hot_orders_by_stored_hotness_and_pages_through(stranger):
    now = timezone.now()
    rows = [make_summary() for _ in range(5)]
    for n, summary in enumerate(rows):
        Summary.objects.filter(pk=summary.pk).update(
            score=n * 3 % 5, published_at=now - timedelta(hours=n)
        )
    rankings.recompute_hotness()
    expected = [s.pk for s in Summary.objects.order_by("-hotness", "-pk")]
    seen, cursor = [], None
    while True:
        body = stranger.get(
            "/summaries",
            data={"order": "hot", "limit": 2, **({"cursor": cursor} if cursor else {})},
        ).json()
        seen += [s["id"] for s in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == expected


def test_period_and_field_filter_the_list(stranger):
    old = make_summary(paper=make_paper(field="math"))
    new = make_summary(paper=make_paper(field="math"))
    make_summary(paper=make_paper(field="cs"))
    Summary.objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=400))
    assert ids(stranger, order="best", period="year", field="math") == [new.pk]
    assert set(ids(stranger, order="best", field="math")) == {old.pk, new.pk}


def test_an_unknown_field_or_period_is_a_validation_error(stranger):
    for params in ({"field": "biology"}, {"period": "decade"}):
        response = stranger.get("/summaries", data=params)
        assert response.status_code == 422
        assert set(params) <= set(error_shape(response)["fields"])
