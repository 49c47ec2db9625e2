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
from shortscience.models import AuthorClaim, AuthorOrcid
from shortscience.services import (
    accounts,
    authors,
    comments,
    events,
    lookup,
    markup,
    merging,
    moderation,
    refresh,
    summaries,
    users,
    votes,
    wanted,
)
from shortscience.services.imports import runs
from tests.factories import PASSWORD, make_paper, make_summary, make_user
from tests.recorded import recorded_fetcher

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
        "summary_draft_saved",
        "draft_summary_removed",
        "summary_deleted",
        "summary_moderated",
        "comment_saved",
        "comment_removed",
        "vote_cast",
        "papers_written",
        "paper_removed",
        "users_changed",
        "flags_changed",
        "contributions_changed",
        "authors_changed",
        "erratum_marked",
        "summary_wanted",
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
    orcid = "0000-0002-1825-0097"
    claimant = make_user(orcid=orcid, orcid_verified=True)
    claimed = authors.claim(claimant, paper.pk)
    author_of = make_user(orcid="0000-0001-5109-3700", orcid_verified=True)
    AuthorClaim.objects.create(
        paper=paper, user=author_of, orcid=author_of.orcid, status=AuthorClaim.Status.APPROVED
    )
    listed = make_paper()
    AuthorOrcid.objects.create(paper=listed, orcid="0000-0002-9079-593X", name="Proved Later")
    proving = make_user(orcid="0000-0002-9079-593X", orcid_verified=True)
    placeholder = make_paper("conf/iccv/Girshick15", metadata_source="placeholder")
    placeholder.identifiers.create(scheme="dblp", value="conf/iccv/Girshick15")
    return {
        "summaries.save (new)": lambda: _save(reader, paper, "A second view of $x$."),
        "summaries.save (edit)": lambda: _save(author, paper, "Rewritten with $y$."),
        "summaries.delete": lambda: summaries.delete(summary.pk, author),
        "summaries.autosave": lambda: summaries.autosave(
            author, paper, "A draft of $z$.", base_version=None
        ),
        "summaries.discard_draft": lambda: summaries.discard_draft(summary.pk, author),
        "summaries.discard_draft (never public)": lambda: summaries.discard_draft(
            summaries.autosave(reader, paper, "Half a thought", base_version=None).pk, reader
        ),
        "votes.cast": lambda: votes.cast(reader, summary.pk, 1),
        "comments.add": lambda: comments.add(reader, summary.pk, "Another *comment*"),
        "comments.edit": lambda: comments.edit(reader, comment.pk, "Edited *comment*"),
        "comments.delete": lambda: comments.delete(reader, comment.pk),
        "moderation.act": lambda: moderation.act(moderator, "hide", "summary", summary.pk, "Spam"),
        "moderation.flag": lambda: moderation.flag(reader, "summary", summary.pk, "spam"),
        "merging.merge": lambda: merging.merge(source.pk, target.pk),
        "users.update_profile": lambda: users.update_profile(
            author,
            users.ProfileChange(display_name="Ada L.", description="About *me*", orcid=""),
        ),
        "accounts.delete_account": lambda: accounts.delete_account(
            leaving, PASSWORD, accounts.Mode.DELETE
        ),
        "lookup.create": lambda: lookup.create(
            PaperMetadata(title="A paper typed in", authors=["Grace Hopper"], year=2024), reader
        ),
        "lookup.add": lambda: lookup.add(
            reader, bibtex="@article{x, title={A paper from BibTeX}, author={A. B.}, year=2024}"
        ),
        "imports (a batch)": lambda: runs.import_arxiv_snapshot(DATA / "arxiv-snapshot.jsonl"),
        "authors.claim": lambda: authors.claim(
            make_user(orcid=orcid, orcid_verified=True), paper.pk
        ),
        "authors.decide": lambda: authors.decide(
            moderator, claimed.pk, approve=True, reason="Their ORCID record lists it"
        ),
        "authors.withdraw": lambda: authors.withdraw(claimant, paper.pk),
        "authors.mark_erratum": lambda: authors.mark_erratum(
            author_of, comment.pk, "fixed", "fixed in v2"
        ),
        "authors.orcid_proved": lambda: authors.orcid_proved(proving),
        "refresh.run": lambda: refresh.run(limit=1, stale_days=180, fetch=recorded_fetcher()),
        "lookup.complete": lambda: lookup.complete(
            "dblp:conf/iccv/Girshick15", reader, fetch=recorded_fetcher()
        ),
        "wanted.want": lambda: wanted.want(reader, listed.pk),
        "wanted.withdraw": lambda: (
            wanted.want(reader, listed.pk),
            wanted.withdraw(reader, listed.pk),
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "summaries.save (new)",
        "summaries.save (edit)",
        "summaries.delete",
        "summaries.autosave",
        "summaries.discard_draft",
        "summaries.discard_draft (never public)",
        "votes.cast",
        "comments.add",
        "comments.edit",
        "comments.delete",
        "moderation.act",
        "moderation.flag",
        "merging.merge",
        "users.update_profile",
        "accounts.delete_account",
        "lookup.create",
        "lookup.add",
        "imports (a batch)",
        "authors.claim",
        "authors.decide",
        "authors.withdraw",
        "authors.mark_erratum",
        "authors.orcid_proved",
        "refresh.run",
        "lookup.complete",
        "wanted.want",
        "wanted.withdraw",
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
