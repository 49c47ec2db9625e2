"""The task worker SIGKILLed with notification mails queued, and Redis restarted without its
data (the queue lost): once the worker is back and the sweep has run, each notification has
been mailed exactly once."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.production.clients import comment_id, signed_in_people
from tests.production.conftest import FIGURES, report
from tests.production.topology import Topology

pytestmark = pytest.mark.production
AUTHORS = 6
PATIENCE = 75.0  # seconds for the sweep to bring every mail (claims expire after 20 s here)
SWEEP = (
    "from shortscience.services import notification_emails as n\n"
    "sweep = getattr(n, 'resend_unsent', None)\n"
    "print('sweep' if sweep else 'no sweep')\n"
    "sweep and sweep()\n"  # queued as the every-minute schedule would, run by the worker
)


def _notification_mails(topology: Topology, address: str) -> list[str]:
    """Message-IDs of the notification mails one person received (not sign-up mail)."""
    return [
        str(m.get("Message-ID", ""))
        for m in topology.sink.to(address)
        if "confirm" not in str(m.get("Subject", "")).lower()
    ]


@pytest.mark.needs_faults
def test_each_notification_is_mailed_exactly_once_after_a_worker_kill_and_a_redis_wipe(
    topology: Topology, site: dict[str, list[int]]
) -> None:
    names = [f"mail{n:02d}" for n in range(1, AUTHORS + 1)]
    authors = signed_in_people(topology.url, names)
    (commenter,) = signed_in_people(topology.url, ["mail07"])
    papers = site["papers"][6:11]
    summaries = []
    for i, author in enumerate(authors):
        answer = author.publish(papers[i % len(papers)], f"Summary by {author.username}.")
        assert answer.status == 302, answer.status
        summaries.append(int(answer.headers["location"].strip("/").split("/")[-1]))
    # Two comments while the worker runs, then the worker dies mid-way: those mails may be in
    # flight. The rest are queued while it is dead, and then Redis loses the queue.
    for summary in summaries[:2]:
        assert comment_id(commenter.comment(summary, "A question about your summary."))
    topology.children["worker"].kill()
    for summary in summaries[2:]:
        assert comment_id(commenter.comment(summary, "A question about your summary."))
    queued = topology.postgres.query(
        "SELECT count(*) FROM shortscience_notification n JOIN shortscience_user u "
        "ON u.id = n.recipient_id WHERE u.username = ANY(%s) AND n.emailed_at IS NULL",
        names,
    )[0][0]
    topology.stop_redis(lose_data=True)
    topology.start_redis(persistent=False)
    topology.start_worker()

    started, sweeps = time.monotonic(), 0
    while True:
        time.sleep(6)
        has_sweep = "no sweep" not in topology.manage("shell", "-c", SWEEP)
        sweeps += has_sweep
        done = all(_notification_mails(topology, f"{n}@example.org") for n in names)
        if done or time.monotonic() - started > (PATIENCE if has_sweep else 15):
            break
    time.sleep(6)  # a late duplicate would arrive now
    topology.manage("shell", "-c", SWEEP)
    time.sleep(4)
    per_notification = {n: _notification_mails(topology, f"{n}@example.org") for n in names}
    counts = Counter(len(ids) for ids in per_notification.values())
    distinct = Counter(len(set(ids)) for ids in per_notification.values())
    report(
        "worker-kill-redis-wipe",
        notifications=AUTHORS, unsent_when_redis_lost_its_data=queued, sweeps_run=sweeps,
        mails_per_notification=dict(sorted(counts.items())),
        message_ids_per_notification=dict(sorted(distinct.items())),
    )  # fmt: skip
    FIGURES["mails_per_notification"] = f"{dict(sorted(counts.items()))} ({{mails: notifications}})"
    assert counts == Counter({1: AUTHORS}), per_notification
