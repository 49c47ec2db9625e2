"""Venues through the API: the list with counts and a venue's papers by year."""

import pytest

from shortscience.models import Venue
from tests.api.conftest import error_shape
from tests.factories import make_paper, make_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def icml():
    venue = Venue.objects.create(key="ICML", name="International Conference on Machine Learning")
    old = make_paper("Old paper", venue=venue, year=2019)
    new = make_paper("New paper", venue=venue, year=2021)
    make_summary(paper=new)
    make_summary(paper=new, private=True)
    return venue, old, new


def test_the_venue_list_counts_papers_and_public_summaries(stranger, icml):
    response = stranger.get("/venues")
    assert response.status_code == 200
    [venue] = response.json()
    assert (venue["key"], venue["paper_count"], venue["summary_count"]) == ("ICML", 2, 1)
    assert venue["api_url"] == "http://testserver/api/v1/venues/ICML"


def test_a_venue_lists_its_papers_newest_year_first(stranger, icml):
    _, old, new = icml
    body = stranger.get("/venues/icml").json()
    assert body["years"] == [2021, 2019]
    assert body["year"] is None
    assert [(p["id"], p["summary_count"]) for p in body["papers"]] == [(new.pk, 1), (old.pk, 0)]


def test_a_venue_filtered_by_year(stranger, icml):
    _, old, _ = icml
    body = stranger.get("/venues/ICML", data={"year": 2019}).json()
    assert body["year"] == 2019 and [p["id"] for p in body["papers"]] == [old.pk]


def test_an_unknown_venue_is_a_404(stranger):
    assert error_shape(stranger.get("/venues/NOPE"))["code"] == "NotFound"


def test_a_venue_key_with_a_slash_has_its_api_url(stranger):
    venue = Venue.objects.create(key="Vision/Graphics", name="Vision/Graphics")
    make_paper("Slashed", venue=venue, year=2015)
    [listed] = stranger.get("/venues").json()
    assert listed["api_url"] == "http://testserver/api/v1/venues/Vision/Graphics"
    body = stranger.get("/venues/Vision/Graphics").json()
    assert body["key"] == "Vision/Graphics" and [p["title"] for p in body["papers"]] == ["Slashed"]
