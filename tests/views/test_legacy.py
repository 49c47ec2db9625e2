"""Old ShortScience.org URLs keep working."""

import pytest

from shortscience.models import PaperIdentifier, Venue
from tests.factories import make_paper, make_user

pytestmark = pytest.mark.django_db


def test_old_paper_urls_redirect_permanently_by_any_key(client):
    paper = make_paper()
    PaperIdentifier.objects.create(paper=paper, scheme="legacy", value="conf/iccv/Girshick15")
    for key in ("conf/iccv/Girshick15", paper.identifiers.get(scheme="arxiv").value):
        response = client.get("/paper", {"bibtexKey": key})
        assert response.status_code == 301
        assert response["Location"] == paper.get_absolute_url()
    assert client.get("/paper", {"bibtexKey": "nope"}).status_code == 404


def test_old_user_venue_and_list_urls_redirect(client):
    make_user("oldtimer")
    Venue.objects.create(key="ICCV", name="ICCV")
    assert client.get("/user", {"name": "oldtimer"})["Location"] == "/users/oldtimer/"
    assert client.get("/users")["Location"] == "/users/"
    assert (
        client.get("/venue", {"key": "ICCV", "year": "2015"})["Location"]
        == "/venues/ICCV/?year=2015"
    )
    assert client.get("/random")["Location"] == "/random/"


def test_the_old_write_endpoint_is_gone(client):
    assert client.get("/vignette").status_code == 410
