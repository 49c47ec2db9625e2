"""API reads cost a fixed number of queries whatever the number of summaries, votes, comments
and papers they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shortscience.models import Venue
from shortscience.services import comments, votes
from tests.api.conftest import ApiClient, with_session, with_token
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def populate(n: int):
    venue = Venue.objects.create(key=f"V{n}", name="Venue")
    paper = make_paper(f"Common title {n}", venue=venue, year=2019)
    author = make_user(f"prolific{n}")
    voters = [make_user() for _ in range(2)]
    keys = []
    for _ in range(n):
        summary = make_summary(paper=paper, markdown="on the paper")
        other = make_summary(author=author, paper=make_paper(venue=venue, year=2019))
        keys.append(other.paper.identifiers.get().value)
        for target in (summary, other):
            for voter in voters:
                votes.cast(voter, target.pk, 1)
            top = comments.add(voters[0], target.pk, "hi")
            comments.add(voters[1], target.pk, "reply", top.pk)
    return {"paper": paper, "author": author, "venue": venue, "viewer": voters[0], "keys": keys}


def count_queries(client: ApiClient, method: str, url: str, body=None) -> int:
    args = (url, body) if body is not None else (url,)
    getattr(client, method)(*args)  # a token records its first use once; count the next call
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(*args)
    assert response.status_code == 200, (url, response.content)
    return len(ctx.captured_queries)


def budget(world, client: ApiClient) -> dict[str, int]:
    paper, author = world["paper"], world["author"]
    first = paper.summaries.order_by("pk").first()
    gets = {
        "summaries": "/summaries?order=best&limit=100",
        "activity": "/activity?limit=100",
        "paper": f"/papers/{paper.pk}",
        "paper summaries": f"/papers/{paper.pk}/summaries",
        "comments": f"/summaries/{first.pk}/comments",
        "user": f"/users/{author.username}",
        "user summaries": f"/users/{author.username}/summaries?limit=100",
        "venues": "/venues",
        "venue": f"/venues/{world['venue'].key}",
        "search": "/search?q=paper",
    }
    counts = {name: count_queries(client, "get", url) for name, url in gets.items()}
    counts["counts"] = count_queries(client, "post", "/papers/counts", {"ids": world["keys"]})
    return counts


@pytest.mark.parametrize("who", ["stranger", "token", "session"])
def test_api_query_counts_do_not_grow_with_content(settings, who):
    settings.PAGE_SIZE = 50
    counts = {}
    for n in (3, 30):
        world = populate(n)
        if who == "token":
            client = with_token(world["viewer"], "read")
        elif who == "session":
            client = with_session(world["viewer"])
        else:
            client = ApiClient()
        counts[n] = budget(world, client)
    assert counts[3] == counts[30]
    assert max(counts[30].values()) <= 10, counts[30]
