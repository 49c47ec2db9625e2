"""Private, draft, hidden and anonymous summaries leak through no API answer.

Every read endpoint is fetched as a stranger, as a stranger served from the page cache, as
another person with a read token and as another person's signed-in session. None may show the
private, draft or hidden text, and none may name the anonymous summary's author (username,
display name, profile URL) or count the anonymous summary in that person's profile. The authors
themselves still see their own work, and their anonymous summary still carries no author.
"""

import json
from typing import Any

import pytest

from shortscience.models import Venue
from shortscience.services import comments, counts, summaries, votes
from tests.api.conftest import ApiClient, with_session, with_token
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db

SECRET_TEXT = "zebra-secret-finding"
DRAFT_TEXT = "unfinished-draft-musing"
HIDDEN_TEXT = "moderated-away-words"
WRITER_MARKS = ("hiddenwriter", "Hidden Writer Name")


@pytest.fixture
def world():
    venue = Venue.objects.create(key="ICML", name="International Conference on Machine Learning")
    paper = make_paper("A Paper", venue=venue, year=2020)
    other = make_paper("Another Paper", venue=venue, year=2020)
    third = make_paper("A Third Paper", venue=venue, year=2020)
    writer = make_user("hiddenwriter", display_name="Hidden Writer Name")
    anon = make_summary(author=writer, paper=paper, anonymous=True, markdown="Anonymous insight")
    private = make_summary(author=writer, paper=other, private=True, markdown=SECRET_TEXT)
    private = summaries.set_share_link(private.pk, writer, enabled=True)
    draft = make_summary(author=writer, paper=third, publish=False, markdown=DRAFT_TEXT)
    moderated = make_summary(paper=other, markdown=HIDDEN_TEXT)
    moderated.is_hidden = True
    moderated.save()
    counts.refresh_papers([other.pk])  # the save went around the services and their events
    visible = make_summary(author=make_user("openwriter"), paper=paper, markdown="Open text")
    reader = make_user("reader2")
    votes.cast(reader, anon.pk, 1)
    comments.add(reader, anon.pk, "Great point")
    return {
        "paper": paper,
        "other": other,
        "third": third,
        "anon": anon,
        "private": private,
        "draft": draft,
        "hidden": moderated,
        "visible": visible,
        "writer": writer,
        "reader": reader,
    }


def read_urls(world) -> list[str]:
    keys = [p.identifiers.get().value for p in (world["paper"], world["other"], world["third"])]
    return [
        "/summaries",
        "/summaries?order=best",
        "/summaries?order=popular",
        "/activity",
        f"/papers/{world['paper'].pk}",
        f"/papers/{world['other'].pk}",
        f"/papers/{world['third'].pk}",
        f"/papers/{world['paper'].pk}/summaries",
        f"/papers/{world['other'].pk}/summaries",
        *[f"/papers/lookup?id={key}" for key in keys],
        f"/summaries/{world['anon'].pk}",
        f"/summaries/{world['visible'].pk}",
        f"/summaries/{world['anon'].pk}/comments",
        "/users/openwriter",
        "/users/reader2",
        "/users/openwriter/summaries",
        "/venues",
        "/venues/ICML",
        "/venues/ICML?year=2020",
        "/search?q=paper",
    ]


class CachedCopyClient(ApiClient):
    """A stranger who always gets the second answer: the page cache's copy."""

    def get(self, path: str, **extra: Any) -> Any:
        super().get(path, **extra)
        return super().get(path, **extra)


def others(world) -> dict[str, ApiClient]:
    return {
        "stranger": ApiClient(),
        "stranger served from the cache": CachedCopyClient(),
        "reader token": with_token(world["reader"], "read"),
        "reader session": with_session(world["reader"]),
    }


def summary_objects(value: Any):
    """Every summary object anywhere in a JSON answer."""
    if isinstance(value, dict):
        if "anonymous" in value and "author" in value:
            yield value
        for item in value.values():
            yield from summary_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from summary_objects(item)


def answers(world, client: ApiClient):
    for url in read_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, response
    keys = [p.identifiers.get().value for p in (world["paper"], world["other"], world["third"])]
    yield "/papers/counts", client.post("/papers/counts", {"ids": keys})


def test_an_anonymous_summary_never_names_its_author(world):
    for who, client in others(world).items():
        for url, response in answers(world, client):
            text = response.content.decode()
            for mark in WRITER_MARKS:
                assert mark not in text, (who, url, mark)
            for summary in summary_objects(response.json()):
                if summary["anonymous"]:
                    assert summary["author"] is None, (who, url)


def test_an_anonymous_summary_does_not_count_in_its_authors_profile(world):
    body = ApiClient().get("/users/hiddenwriter").json()
    assert body["username"] == "hiddenwriter"
    assert (body["summary_count"], body["reputation"], body["summaries"]) == (0, 0.0, [])
    page = ApiClient().get("/users/hiddenwriter/summaries").json()
    assert page["items"] == []
    assert "Anonymous insight" not in json.dumps(body) + json.dumps(page)


def test_the_author_of_an_anonymous_summary_sees_it_as_theirs_but_still_unnamed(world):
    for client in (with_token(world["writer"], "read"), with_session(world["writer"])):
        body = client.get(f"/summaries/{world['anon'].pk}").json()
        assert body["mine"] is True and body["anonymous"] is True
        assert body["author"] is None
        for mark in WRITER_MARKS:
            assert mark not in json.dumps(body)


def test_private_draft_and_hidden_summaries_appear_nowhere_for_others(world):
    for who, client in others(world).items():
        for url, response in answers(world, client):
            text = response.content.decode()
            for secret in (SECRET_TEXT, DRAFT_TEXT, HIDDEN_TEXT, world["private"].share_token):
                assert secret not in text, (who, url, secret)
        for name in ("private", "draft", "hidden"):
            summary = world[name]
            for url in (f"/summaries/{summary.pk}", f"/summaries/{summary.pk}/comments"):
                assert client.get(url).status_code == 404, (who, url)


def test_lists_counts_and_search_show_only_public_summaries_even_to_their_author(world):
    client = with_token(world["writer"], "read")
    listed = set()
    for url in ("/summaries", "/summaries?order=best", "/summaries?order=popular", "/activity"):
        listed |= {s["id"] for s in client.get(url).json()["items"]}
    assert listed == {world["anon"].pk, world["visible"].pk}
    keys = [p.identifiers.get().value for p in (world["other"], world["third"])]
    counted = client.post("/papers/counts", {"ids": keys}).json()["papers"]
    assert [c["summaries"] for c in counted] == [0, 0]
    found = client.get("/search?q=paper").json()["items"]
    assert {p["id"]: p["summary_count"] for p in found} == {
        world["paper"].pk: 2,
        world["other"].pk: 0,
        world["third"].pk: 0,
    }
    assert client.get(f"/papers/{world['other'].pk}").json()["summary_count"] == 0


def test_the_author_reads_their_own_private_and_draft_summaries(world):
    for client in (with_token(world["writer"], "read"), with_session(world["writer"])):
        private = client.get(f"/summaries/{world['private'].pk}")
        assert private.status_code == 200 and private.json()["markdown"] == SECRET_TEXT
        assert private.json()["visibility"] == "private"
        draft = client.get(f"/summaries/{world['draft'].pk}").json()
        assert draft["status"] == "draft"
        on_paper = client.get(f"/papers/{world['other'].pk}/summaries").json()
        assert SECRET_TEXT in [s["markdown"] for s in on_paper]


def test_a_hidden_summary_is_gone_even_from_its_paper_for_others(world):
    body = ApiClient().get(f"/papers/{world['other'].pk}").json()
    assert body["summaries"] == []
