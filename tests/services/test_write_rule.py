"""The one write rule (docs/architecture.md): validate -> render (outside the transaction) ->
atomic { write; event } -> slow work on_commit.

Each write service is called with no transaction around it (these tests commit for real), while
every function of services/events.py and the renderer note whether a transaction was open when
they ran. An event fired after its write committed would let a reader see the write without its
consequences (a stale cached page, an unindexed summary); a render inside the transaction holds
SQLite's one write lock for the whole render.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from shortscience.metadata.types import PaperMetadata
from shortscience.services import (
    accounts,
    comments,
    events,
    lookup,
    markup,
    merging,
    moderation,
    summaries,
    users,
    votes,
)
from shortscience.services.imports import runs
from tests.factories import PASSWORD, make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db(transaction=True)

DATA = Path(__file__).resolve().parent.parent / "data" / "imports"
EVENTS = [
    name
    for name, function in inspect.getmembers(events, inspect.isfunction)
    if function.__module__ == events.__name__ and not name.startswith("_")
]


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, bool]] = []
        self.renders: list[bool] = []

    def reset(self) -> None:
        self.events.clear()
        self.renders.clear()


def _in_transaction() -> bool:
    return transaction.get_connection().in_atomic_block


@pytest.fixture
def recorded(monkeypatch) -> Recorder:
    recorder = Recorder()
    for name in EVENTS:
        real = getattr(events, name)

        def event(*args: Any, _real: Callable[..., Any] = real, _name: str = name, **kw: Any):
            recorder.events.append((_name, _in_transaction()))
            return _real(*args, **kw)

        monkeypatch.setattr(events, name, event)
    real_render = markup.render

    def render(*args: Any, **kw: Any):
        recorder.renders.append(_in_transaction())
        return real_render(*args, **kw)

    monkeypatch.setattr(markup, "render", render)
    return recorder


def test_every_event_is_covered_below():
    covered = {
        "summary_saved",
        "summary_deleted",
        "summary_moderated",
        "comment_saved",
        "comment_removed",
        "vote_cast",
        "papers_written",
        "paper_removed",
        "users_changed",
        "contributions_changed",
        "bulk_loaded",  # loads run in one transaction of their own (tests/services/test_dumps.py)
    }
    assert set(EVENTS) == covered, "a new event needs a case in this module"


def _save(author, paper, markdown: str, *, publish: bool = True):
    request = summaries.SaveRequest(
        markdown=markdown, publish=publish, private=False, anonymous=False
    )
    return summaries.save(author, paper, request)


def _writes() -> dict[str, Callable[[], object]]:
    """Each write service, ready to run against fresh rows."""
    author, reader = make_user(), make_user()
    moderator = make_user(is_staff=True)
    paper = make_paper()
    summary = make_summary(author=author, paper=paper)
    comment = comments.add(reader, summary.pk, "A first comment")
    source, target = make_paper(), make_paper()
    make_summary(paper=source)
    leaving = make_user()
    make_summary(author=leaving)
    return {
        "summaries.save (new)": lambda: _save(reader, paper, "A second view of $x$."),
        "summaries.save (edit)": lambda: _save(author, paper, "Rewritten with $y$."),
        "summaries.delete": lambda: summaries.delete(summary.pk, author),
        "votes.cast": lambda: votes.cast(reader, summary.pk, 1),
        "comments.add": lambda: comments.add(reader, summary.pk, "Another *comment*"),
        "comments.edit": lambda: comments.edit(reader, comment.pk, "Edited *comment*"),
        "comments.delete": lambda: comments.delete(reader, comment.pk),
        "moderation.act": lambda: moderation.act(moderator, "hide", "summary", summary.pk, "Spam"),
        "merging.merge": lambda: merging.merge(source.pk, target.pk),
        "users.update_profile": lambda: users.update_profile(
            author,
            users.ProfileChange(display_name="Ada L.", description="About *me*", orcid=""),
        ),
        "accounts.delete_account": lambda: accounts.delete_account(
            leaving, PASSWORD, accounts.Mode.DELETE
        ),
        "lookup.create": lambda: lookup.create(
            PaperMetadata(title="A paper typed in", authors=["Grace Hopper"], year=2024)
        ),
        "imports (a batch)": lambda: runs.import_arxiv_snapshot(DATA / "arxiv-snapshot.jsonl"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "summaries.save (new)",
        "summaries.save (edit)",
        "summaries.delete",
        "votes.cast",
        "comments.add",
        "comments.edit",
        "comments.delete",
        "moderation.act",
        "merging.merge",
        "users.update_profile",
        "accounts.delete_account",
        "lookup.create",
        "imports (a batch)",
    ],
)
def test_a_write_fires_its_events_inside_its_transaction_and_renders_outside_it(name, recorded):
    write = _writes()[name]
    recorded.reset()
    assert not _in_transaction()
    write()
    assert recorded.events, f"{name} fired no event"
    outside = [event for event, inside in recorded.events if not inside]
    assert outside == [], f"{name} fired {outside} after its transaction"
    assert True not in recorded.renders, f"{name} rendered Markdown inside its transaction"
