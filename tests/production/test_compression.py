"""nginx passes on what the app compressed once and compresses no app page itself: the app is
asked with the client's gzip in one word, and the micro-cache keeps one copy per word
(deploy/nginx.conf.template, docs/deploy.md)."""

from __future__ import annotations

import pytest

from tests.production.clients import Person, signed_in_people
from tests.production.topology import Topology

pytestmark = pytest.mark.production

# (what a client sends, whether it takes gzip)
ENCODINGS = [
    ("gzip, deflate, br, zstd", True),
    ("identity", False),
    ("br", False),
    ("GZIP", True),
]


def test_the_micro_cache_keeps_one_copy_per_encoding_and_answers_each_rightly(
    topology: Topology, site: dict[str, list[int]]
) -> None:
    paper = site["papers"][0]
    reader = Person(topology.url)
    texts, cached = set(), set()
    for round_ in range(2):  # the first round may fill the cache; both must answer rightly
        for encoding, gzipped in ENCODINGS:
            answer = reader.get(f"/papers/{paper}/", headers={"Accept-Encoding": encoding})
            assert answer.status == 200, (encoding, answer.error)
            assert (answer.headers.get("content-encoding") == "gzip") is gzipped, encoding
            # Sent whole with its length: nginx compressing it would have dropped the length.
            assert "content-length" in answer.headers, encoding
            if round_ == 1:
                cached.add(answer.headers.get("x-cache"))
            texts.add(answer.text)
    reader.close()
    assert len(texts) == 1, "every encoding decodes to the same page"
    assert "HIT" in cached, cached  # the second round comes from nginx's copies


def test_a_signed_in_page_is_the_apps_own_gzip(topology: Topology) -> None:
    (person,) = signed_in_people(topology.url, ["load11"])
    packed = person.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    plain = person.get("/", headers={"Accept-Encoding": "identity"})
    assert packed.status == plain.status == 200
    assert packed.headers.get("content-encoding") == "gzip"
    assert "content-length" in packed.headers  # spliced by the app, not compressed by nginx
    assert packed.headers.get("x-cache") == "BYPASS"
    assert "content-encoding" not in plain.headers
    assert "load11" in packed.text and "load11" in plain.text
