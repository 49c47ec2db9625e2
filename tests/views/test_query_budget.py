"""Pages cost a fixed number of queries whatever the number of summaries, votes and comments."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shortscience.models import Venue
from shortscience.services import comments, votes
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def populate(n: int):
    venue = Venue.objects.create(key=f"V{n}", name="Venue")
    paper = make_paper(venue=venue, year=2019)
    author = make_user(f"prolific{n}")
    voters = [make_user() for _ in range(2)]
    for _ in range(n):
        summary = make_summary(paper=paper)
        other = make_summary(author=author, paper=make_paper(venue=venue, year=2019))
        for target in (summary, other):
            for voter in voters:
                votes.cast(voter, target.pk, 1)
            top = comments.add(voters[0], target.pk, "hi $x$")
            comments.add(voters[1], target.pk, "reply", top.pk)
    return {"paper": paper, "author": author, "venue": venue, "viewer": voters[0]}


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "reader", ["stranger", "signed-in", "shared-copy"], ids=["stranger", "signed-in", "shared-copy"]
)
def test_page_query_counts_do_not_grow_with_content(settings, reader):
    """A first visit (the whole render), a signed-in reader who voted and commented on what the
    pages show (always the whole render), and a signed-in reader the shared copy fits (its second
    visit: services/neutralpages.py)."""
    settings.PAGE_SIZE = 50
    if reader == "signed-in":
        settings.PAGE_CACHE_ENABLED = False  # the render itself, not the shared copy's miss
    counts = {}
    for n in (3, 30):
        world = populate(n)
        client = Client()
        if reader == "signed-in":
            client.force_login(world["viewer"])
        elif reader == "shared-copy":
            client.force_login(make_user(f"newcomer{n}"))
        urls = {
            "home": "/?tab=best",
            "paper": world["paper"].get_absolute_url(),
            "user": f"/users/{world['author'].username}/",
            "venue": f"/venues/{world['venue'].key}/",
            "users": "/users/",
            "venues": "/venues/",
        }
        if reader == "shared-copy":
            for url in urls.values():
                client.get(url)
        counts[n] = {name: count_queries(client, url) for name, url in urls.items()}
    assert counts[3] == counts[30]
    assert max(counts[30].values()) <= 12, counts[30]
    if reader == "shared-copy":
        assert max(counts[30].values()) <= 2, counts[30]
