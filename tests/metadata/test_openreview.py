"""OpenReview notes (API v1 and v2), recorded under tests/data/metadata/openreview/."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from shortscience.metadata import openreview
from shortscience.metadata.http import Fetcher, FetchError, MalformedResponse
from shortscience.metadata.types import Identifier, Scheme

DATA = Path(__file__).resolve().parents[1] / "data" / "metadata" / "openreview"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_a_v1_forum_gives_the_submission_and_skips_the_reviews():
    [paper] = openreview.parse_notes(load("v1_forum_rJ4km2R5t7.json"))
    assert paper.title == (
        "GLUE: A Multi-Task Benchmark and Analysis Platform for Natural Language Understanding"
    )
    assert paper.authors == [
        "Alex Wang",
        "Amanpreet Singh",
        "Julian Michael",
        "Felix Hill",
        "Omer Levy",
        "Samuel R. Bowman",
    ]
    assert paper.abstract.startswith("For natural language understanding (NLU) technology")
    assert paper.venue == "ICLR"
    assert paper.year == 2019
    assert paper.identifiers == [Identifier(Scheme.OPENREVIEW, "rJ4km2R5t7")]
    assert paper.url == "https://openreview.net/forum?id=rJ4km2R5t7"
    assert paper.source == "openreview"


def test_a_v2_note_unwraps_every_value():
    [paper] = openreview.parse_notes(load("v2_note_2dnO3LLiJ1.json"))
    assert paper.title == "Vision Transformers Need Registers"
    assert paper.authors == ["Timothée Darcet", "Maxime Oquab", "Julien Mairal", "Piotr Bojanowski"]
    assert paper.abstract.startswith("Transformers have recently emerged")
    assert paper.venue == "ICLR"
    assert paper.year == 2024
    assert paper.identifiers == [Identifier(Scheme.OPENREVIEW, "2dnO3LLiJ1")]


def test_a_submission_that_was_not_accepted_has_no_venue_but_keeps_its_year():
    note = {
        "id": "AbCdEf123",
        "forum": "AbCdEf123",
        "cdate": 1695360932513,
        "content": {
            "title": {"value": "A rejected idea"},
            "venue": {"value": "Submitted to ICLR 2024"},
            "venueid": {"value": "ICLR.cc/2024/Conference/Rejected_Submission"},
        },
    }
    paper = openreview.note_to_metadata(note)
    assert paper is not None
    assert paper.venue == ""
    assert paper.year == 2024


def test_without_venue_the_year_comes_from_the_publication_date():
    note = {"id": "x1", "forum": "x1", "pdate": 1705405607216, "content": {"title": "T"}}
    paper = openreview.note_to_metadata(note)
    assert paper is not None
    assert paper.year == 2024
    assert paper.venue == ""
    assert paper.authors == []


def test_venue_keys_from_venue_text_or_venueid():
    assert openreview.venue_key("NeurIPS 2023 poster", "NeurIPS.cc/2023/Conference") == "NeurIPS"
    assert openreview.venue_key("", "ICML.cc/2023/Conference") == "ICML"
    assert openreview.venue_key("Accepted by TMLR", "TMLR") == "TMLR"
    assert openreview.venue_key("ICLR 2025 Conference Withdrawn Submission", "") == ""


def test_a_note_without_title_is_not_a_paper():
    assert openreview.note_to_metadata({"id": "x", "forum": "x", "content": {}}) is None


def test_an_answer_without_notes_is_malformed():
    with pytest.raises(MalformedResponse):
        openreview.parse_notes(load("v2_not_found.json"))


def test_fetch_forum_tries_v2_then_falls_back_to_v1_through_the_fetcher():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.host == "api2.openreview.net":
            return httpx.Response(404, content=load("v2_not_found.json"))
        return httpx.Response(200, content=load("v1_forum_rJ4km2R5t7.json"))

    fetcher = Fetcher(
        "team@example.org", transport=httpx.MockTransport(handler), sleep=lambda s: None
    )
    paper = openreview.fetch_forum(fetcher, Identifier(Scheme.OPENREVIEW, "rJ4km2R5t7"))
    assert paper is not None
    assert paper.year == 2019
    assert seen == [
        "https://api2.openreview.net/notes?id=rJ4km2R5t7",
        "https://api.openreview.net/notes?id=rJ4km2R5t7",
    ]


def test_fetch_forum_stops_at_v2_when_it_knows_the_note():
    calls: list[str] = []

    def fetch(url: str, params: dict[str, str]) -> bytes:
        calls.append(url)
        return load("v2_note_2dnO3LLiJ1.json")

    paper = openreview.fetch_forum(fetch, "2dnO3LLiJ1")
    assert paper is not None
    assert paper.title == "Vision Transformers Need Registers"
    assert calls == [openreview.API_V2]


def test_fetch_forum_is_none_when_neither_api_has_it():
    def fetch(url: str, params: dict[str, str]) -> bytes:
        return json.dumps({"notes": [], "count": 0}).encode()

    assert openreview.fetch_forum(fetch, "nothing") is None


def test_fetch_forum_lets_server_failures_through():
    def fetch(url: str, params: dict[str, str]) -> bytes:
        raise FetchError("Bad Gateway", url, 502)

    with pytest.raises(FetchError):
        openreview.fetch_forum(fetch, "rJ4km2R5t7")
