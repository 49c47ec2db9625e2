"""What people do, through nginx, several at once: sign up and verify by mail, publish, vote,
comment; two app processes see one site; rate limits hold across processes."""

from __future__ import annotations

import re
import time

import pytest

from tests.production.clients import Person, comment_id, in_parallel, signed_in_people
from tests.production.conftest import report
from tests.production.topology import VOTE_LIMIT, Topology

pytestmark = pytest.mark.production


def _summary_id(location: str) -> int:
    found = re.search(r"/summaries/(\d+)/", location)
    assert found, f"not a summary URL: {location!r}"
    return int(found.group(1))


def test_people_sign_up_verify_by_mail_and_are_signed_in(topology: Topology) -> None:
    def sign_up(n: int) -> bool:
        person = Person(topology.url, f"newcomer{n}")
        email = f"newcomer{n}@example.org"
        person.get("/accounts/signup/")
        answer = person.post(
            "/accounts/signup/",
            {"email": email, "username": person.username,
             "password1": "correct horse battery staple 7", "password2":
             "correct horse battery staple 7"},
        )  # fmt: skip
        assert answer.status == 302, f"sign-up: {answer.status} {answer.text[:300]}"
        deadline = time.monotonic() + 15
        while not (mails := topology.sink.to(email)):
            assert time.monotonic() < deadline, f"no verification mail for {email}"
            time.sleep(0.2)
        body = mails[-1].get_body(preferencelist=("plain",))
        assert body is not None
        link = re.search(r"/accounts/confirm-email/[^/\s]+/", body.get_content())
        assert link, "the verification mail has no confirmation link"
        assert person.get(link.group(0)).status == 200
        confirmed = person.post(link.group(0))
        assert confirmed.status == 302, f"confirmation: {confirmed.status}"
        return person.get("/").signed_in

    signed_in = in_parallel(sign_up, range(1, 5))
    report("sign-up", people=len(signed_in), verified_and_signed_in=sum(signed_in))
    assert all(signed_in)


def test_several_people_publish_vote_and_comment_at_once(
    topology: Topology, site: dict[str, list[int]]
) -> None:
    people = signed_in_people(topology.url, [f"load{n:02d}" for n in range(19, 25)])
    papers = site["papers"]

    def publish(i: int) -> int:
        answer = people[i].publish(papers[i], f"Flow summary {i}: what this paper shows, $x^2$.")
        assert answer.status == 302, f"publish: {answer.status} {answer.text[:300]}"
        return _summary_id(answer.headers["location"])

    written = in_parallel(publish, range(len(people)))

    def vote_and_comment(i: int) -> int | None:
        other = written[(i + 1) % len(written)]
        assert people[i].vote(other, "up").status == 302
        return comment_id(people[i].comment(other, f"Flow comment from {people[i].username}"))

    comments = in_parallel(vote_and_comment, range(len(people)))
    assert all(comments)
    reader = Person(topology.url)
    for i, summary in enumerate(written):
        page = reader.get(f"/summaries/{summary}/")
        assert page.status == 200 and f"Flow summary {i}:" in page.text
        assert f"Flow comment from {people[i - 1].username}" in page.text
    score = topology.postgres.query(
        "SELECT count(*) FROM shortscience_vote WHERE summary_id = ANY(%s)", written
    )[0][0]
    # Each author hears of the comment by mail: the app queued it in Redis, the worker sent it.
    deadline = time.monotonic() + 30
    while not all(topology.sink.to(f"{p.username}@example.org") for p in people):
        assert time.monotonic() < deadline, "notification mail did not arrive"
        time.sleep(0.5)
    report("publish-vote-comment", people=len(people), summaries=len(written), votes=score,
           comments=len(comments), notification_mails=len(people))  # fmt: skip
    assert score == len(people)


def test_a_summary_written_through_one_process_is_seen_through_the_other(
    topology: Topology, site: dict[str, list[int]]
) -> None:
    (writer,) = signed_in_people(topology.url, ["load18"])
    first, second = writer.at(topology.app_url(0)), writer.at(topology.app_url(1))
    paper = site["papers"][-1]
    answer = first.publish(paper, "Written through process one.")
    assert answer.status == 302
    summary = _summary_id(answer.headers["location"])
    anonymous = Person(topology.app_url(1))
    assert "Written through process one." in second.get(f"/summaries/{summary}/").text
    assert "Written through process one." in anonymous.get(f"/papers/{paper}/").text
    assert second.publish(paper, "Edited through process two.").status == 302
    assert (
        "Edited through process two." in Person(topology.app_url(0)).get(f"/papers/{paper}/").text
    )
    assert "Edited through process two." in first.get(f"/summaries/{summary}/").text


def test_rate_limits_are_exact_across_processes(
    topology: Topology, site: dict[str, list[int]]
) -> None:
    """VOTE_LIMIT votes a day per person: the next is refused, whichever process answers."""
    (voter,) = signed_in_people(topology.url, ["vote01"])
    doors = [voter.at(topology.app_url(0)), voter.at(topology.app_url(1)), voter]
    summaries = site["summaries"]
    attempts = VOTE_LIMIT + 10
    day = int(time.time()) // 86400

    def vote(n: int) -> int:
        return doors[n % 3].vote(summaries[n % len(summaries)], "up" if n % 2 else "retract").status

    statuses = in_parallel(vote, range(attempts))
    if int(time.time()) // 86400 != day:
        pytest.skip("the rate-limit window turned over during the test; run again")
    accepted, refused = statuses.count(302), statuses.count(429)
    report("rate-limit", limit=VOTE_LIMIT, attempts=attempts, accepted=accepted, refused=refused)
    assert (accepted, refused) == (VOTE_LIMIT, attempts - VOTE_LIMIT), statuses
    over = doors[1].vote(summaries[0], "up")
    assert over.status == 429 and int(over.headers["retry-after"]) > 0
