"""The metadata refresh: placeholders get their metadata from recorded source answers, nothing a
person filled in is replaced, a source that does not answer leaves the paper for later, and a
run is bounded."""

from __future__ import annotations

import datetime as dt
import importlib
import threading
import time
from types import SimpleNamespace

import httpx
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from shortscience.metadata.http import Fetcher, FetchError
from shortscience.metadata.types import PaperMetadata
from shortscience.models import Paper, PaperIdentifier, User
from shortscience.services import demo, dumps, lookup, merging, refresh
from shortscience.services.imports.legacy_csv import import_legacy_csv
from shortscience.services.imports.writer import PaperWriter
from tests.recorded import DATA, down, recorded_fetcher, route

pytestmark = pytest.mark.django_db
IMPORTS = DATA.parent / "imports"


def _placeholder(key: str, scheme: str = "dblp", value: str | None = None) -> Paper:
    paper = Paper.objects.create(title=key, metadata_source=Paper.PLACEHOLDER)
    PaperIdentifier.objects.create(paper=paper, scheme=scheme, value=value or key)
    return paper


class Counting:
    """The HTTP edge, counting the requests that reach it."""

    def __init__(self, handler=route) -> None:
        self.handler = handler
        self.hosts: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.url.host)
        return self.handler(request)


def test_the_old_sites_placeholders_get_their_title_and_authors_when_a_source_answers():
    import_legacy_csv(IMPORTS / "legacy-export.csv", User.objects.create(username="oldtimer"))
    girshick = Paper.objects.get(identifiers__value="conf/iccv/Girshick15")
    assert girshick.title == "conf/iccv/Girshick15"
    assert girshick.metadata_source == Paper.PLACEHOLDER

    done = refresh.run(limit=10, stale_days=180, fetch=recorded_fetcher())

    girshick.refresh_from_db()
    assert girshick.title == "Fast R-CNN"
    assert girshick.authors == ["Ross B. Girshick"]
    assert girshick.year == 2015
    assert girshick.venue is not None and girshick.venue.key == "ICCV"
    assert girshick.metadata_source == "dblp"
    assert girshick.metadata_check == Paper.Check.UPDATED
    # Semantic Scholar's arXiv id joins it, so /arxiv/1504.08083 reaches the same page.
    assert girshick.identifiers.filter(scheme="arxiv", value="1504.08083").exists()
    outcomes = {item.paper_id: item.outcome for item in done}
    assert outcomes[girshick.pk] == "updated"
    # The sources know nothing of the other two (recorded: arXiv empty, Crossref 404).
    others = Paper.objects.exclude(pk=girshick.pk)
    assert {p.metadata_check for p in others} == {Paper.Check.NOT_FOUND}
    assert {p.title for p in others} == {"journals/corr/1608.06993", "10.1109/CVPR.2016.90"}


def test_an_arxiv_placeholder_gets_its_abstract_too():
    paper = _placeholder("journals/corr/1706.03762", "arxiv", "1706.03762")
    refresh.run(limit=1, stale_days=180, fetch=recorded_fetcher())
    paper.refresh_from_db()
    assert paper.title == "Attention Is All You Need"
    assert "Ashish Vaswani" in paper.authors
    assert paper.abstract
    assert paper.categories and paper.field == "cs"


def test_what_a_person_filled_in_is_never_replaced():
    paper = Paper.objects.create(title="Fast R-CNN (as our admin wrote it)", authors=["R. G."])
    PaperIdentifier.objects.create(paper=paper, scheme="dblp", value="conf/iccv/Girshick15")
    refresh.run(limit=1, stale_days=180, fetch=recorded_fetcher())
    paper.refresh_from_db()
    assert paper.title == "Fast R-CNN (as our admin wrote it)"
    assert paper.authors == ["R. G."]
    assert paper.year == 2015  # it had none


def test_a_source_that_does_not_answer_leaves_the_paper_for_later_not_for_a_tight_loop():
    paper = _placeholder("conf/iccv/Girshick15")
    before = timezone.now()
    [item] = refresh.run(limit=5, stale_days=180, fetch=recorded_fetcher(down))
    assert item.outcome == "failed"
    paper.refresh_from_db()
    assert paper.title == "conf/iccv/Girshick15"
    assert paper.metadata_failures == 1
    assert paper.metadata_retry_at is not None
    assert paper.metadata_retry_at >= before + dt.timedelta(minutes=59)
    assert refresh.run(limit=5, stale_days=180, fetch=recorded_fetcher(down)) == []
    later = paper.metadata_retry_at + dt.timedelta(seconds=1)
    assert list(refresh.due(stale_days=180, now=later)) == [paper]

    Paper.objects.filter(pk=paper.pk).update(metadata_retry_at=before, metadata_due_at=before)
    refresh.run(limit=5, stale_days=180, fetch=recorded_fetcher(down))
    paper.refresh_from_db()
    assert paper.metadata_failures == 2
    assert paper.metadata_retry_at is not None and paper.metadata_checked_at is not None
    assert paper.metadata_retry_at - paper.metadata_checked_at == dt.timedelta(hours=2)

    Paper.objects.filter(pk=paper.pk).update(metadata_retry_at=before, metadata_due_at=before)
    refresh.run(limit=5, stale_days=180, fetch=recorded_fetcher())
    paper.refresh_from_db()
    assert paper.title == "Fast R-CNN"
    assert paper.metadata_failures == 0 and paper.metadata_retry_at is None


def test_a_source_that_is_down_is_asked_once_per_run_not_once_per_paper():
    for name in ("A15", "B15", "C15"):
        _placeholder(f"conf/iccv/{name}")
    edge = Counting(down)
    done = refresh.run(limit=10, stale_days=180, fetch=recorded_fetcher(edge))
    assert [item.outcome for item in done] == ["failed"] * 3
    assert edge.hosts == ["dblp.org", "dblp.org"]  # the first paper's two attempts


def test_a_run_is_bounded_and_takes_placeholders_first():
    incomplete = Paper.objects.create(title="A paper without authors")
    PaperIdentifier.objects.create(paper=incomplete, scheme="arxiv", value="1706.03762")
    placeholders = [_placeholder(f"conf/iccv/P{n}") for n in range(4)]
    assert list(refresh.due(stale_days=180)) == [*placeholders, incomplete]
    edge = Counting()
    done = refresh.run(limit=2, stale_days=180, fetch=recorded_fetcher(edge))
    assert [item.paper_id for item in done] == [p.pk for p in placeholders[:2]]
    assert Paper.objects.filter(metadata_checked_at__isnull=True).count() == 3
    assert "export.arxiv.org" not in edge.hosts


def test_complete_papers_wait_for_the_stale_age_and_placeholders_only_skips_them():
    complete = Paper.objects.create(title="Known", authors=["A. B."], year=2020)
    PaperIdentifier.objects.create(paper=complete, scheme="dblp", value="conf/iccv/Girshick15")
    assert list(refresh.due(stale_days=30)) == []
    in_a_month = timezone.now() + dt.timedelta(days=31)
    assert list(refresh.due(stale_days=30, now=in_a_month)) == [complete]
    assert list(refresh.due(stale_days=30, now=in_a_month, placeholders_only=True)) == []


def test_a_paper_no_source_can_be_asked_about_is_recorded_and_left_alone():
    paper = _placeholder("Smith2015x", "legacy")
    [item] = refresh.run(limit=1, stale_days=180, fetch=recorded_fetcher())
    assert item.outcome == "no source"
    assert refresh.run(limit=1, stale_days=180, fetch=recorded_fetcher()) == []
    paper.refresh_from_db()
    assert paper.title == "Smith2015x"


def test_a_dry_run_asks_nobody_and_changes_nothing():
    paper = _placeholder("conf/iccv/Girshick15")
    edge = Counting()
    [item] = refresh.run(limit=1, stale_days=180, dry_run=True, fetch=recorded_fetcher(edge))
    assert item.paper_id == paper.pk and item.outcome == "due"
    assert edge.hosts == []
    paper.refresh_from_db()
    assert paper.metadata_checked_at is None


def test_each_source_gets_its_own_timeouts():
    arxiv = refresh.fetcher_for("export.arxiv.org")
    semantic = refresh.fetcher_for("api.semanticscholar.org")
    assert isinstance(arxiv, Fetcher) and isinstance(semantic, Fetcher)
    assert arxiv.timeout.read == refresh.SOURCE_TIMEOUTS["export.arxiv.org"]
    assert semantic.timeout.read == refresh.SOURCE_TIMEOUTS["api.semanticscholar.org"]
    assert arxiv.timeout.connect == refresh.CONNECT_TIMEOUT
    arxiv.close()
    semantic.close()


def test_an_identifier_another_paper_holds_stays_there_and_is_reported():
    arxiv_copy = Paper.objects.create(title="Fast R-CNN", authors=["Ross Girshick"], year=2015)
    PaperIdentifier.objects.create(paper=arxiv_copy, scheme="arxiv", value="1504.08083")
    paper = _placeholder("conf/iccv/Girshick15")
    [item] = refresh.run(limit=1, stale_days=180, fetch=recorded_fetcher())
    assert item.outcome == "updated"
    assert item.note == f"also known as paper {arxiv_copy.pk}"
    assert PaperIdentifier.objects.get(value="1504.08083").paper == arxiv_copy
    assert paper.identifiers.filter(scheme="doi", value="10.1109/iccv.2015.169").exists()


def test_a_malformed_answer_changes_nothing_and_the_batch_goes_on():
    broken = _placeholder("conf/iccv/Girshick15")
    fine = _placeholder("journals/corr/1706.03762", "arxiv", "1706.03762")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "dblp.org":
            return httpx.Response(200, content=b"<dblp><inproceedings key=")
        return route(request)

    done = refresh.run(limit=5, stale_days=180, fetch=recorded_fetcher(handler))
    assert {item.paper_id: item.outcome for item in done} == {
        broken.pk: "not found",
        fine.pk: "updated",
    }
    broken.refresh_from_db()
    assert broken.title == "conf/iccv/Girshick15"


def test_a_paper_that_breaks_the_refresh_is_failed_and_does_not_block_the_ones_after_it(
    monkeypatch,
):
    """Placeholders always come first: one that raised every run would stop every run there."""
    from shortscience.services import lookup

    poison = _placeholder("conf/iccv/Poison15")
    fine = _placeholder("journals/corr/1706.03762", "arxiv", "1706.03762")
    real = lookup.fetch_candidate

    def fetch_candidate(token, fetch=None, deadline=None):
        if token == "dblp:conf/iccv/Poison15":
            raise RuntimeError("a bug")
        return real(token, fetch, deadline)

    monkeypatch.setattr(lookup, "fetch_candidate", fetch_candidate)
    done = refresh.run(limit=5, stale_days=180, fetch=recorded_fetcher())
    assert {item.paper_id: item.outcome for item in done} == {
        poison.pk: "failed",
        fine.pk: "updated",
    }
    poison.refresh_from_db()
    assert poison.metadata_retry_at is not None


def _due_now() -> set[str]:
    return {p.title for p in refresh.due(stale_days=180, limit=50)}


def _due_in_a_year() -> set[str]:
    later = timezone.now() + dt.timedelta(days=366)
    return {p.title for p in refresh.due(stale_days=180, limit=50, now=later)}


def test_every_way_a_paper_arrives_gives_it_its_place_in_the_refresh():
    # Added by a writer (lookup.create), imported in bulk (the writer's bulk_create), from the
    # old site's CSV, from the demo: incomplete and placeholder papers are due at once, complete
    # ones at the stale age.
    user = User.objects.create(username="adder")
    lookup.create(PaperMetadata(title="Added without a year", authors=["A. B."]), user)
    lookup.create(PaperMetadata(title="Added complete", authors=["A. B."], year=2020), user)
    PaperWriter().write(
        [
            PaperMetadata(title="Imported without authors", year=2019, source="dblp"),
            PaperMetadata(title="Imported complete", authors=["C."], year=2019, source="dblp"),
        ]
    )
    import_legacy_csv(IMPORTS / "legacy-export.csv", User.objects.create(username="oldtimer"))
    demo.load()
    placeholders = set(
        Paper.objects.filter(metadata_source=Paper.PLACEHOLDER).values_list("title", flat=True)
    )
    assert placeholders
    incomplete = {"Added without a year", "Imported without authors"}
    assert _due_now() == placeholders | incomplete
    # Placeholders first, then the incomplete.
    batch = [p.title for p in refresh.due(stale_days=180, limit=50)]
    assert set(batch[: len(placeholders)]) == placeholders
    assert {"Added complete", "Imported complete"} <= _due_in_a_year()
    assert Paper.objects.filter(metadata_due_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)  # the load starts from a flushed database
def test_a_restored_dump_and_a_merge_keep_the_refresh_state(tmp_path):
    Paper.objects.create(title="Dumped without authors", year=2001)
    Paper.objects.create(title="Dumped complete", authors=["D."], year=2001)
    dumps.write(tmp_path)
    call_command("flush", interactive=False)
    dumps.load(tmp_path)
    assert _due_now() == {"Dumped without authors"}
    assert "Dumped complete" in _due_in_a_year()

    # A merge that brings the authors completes the kept paper: no longer due now.
    keep = Paper.objects.get(title="Dumped without authors")
    dup = Paper.objects.create(title="Its duplicate", authors=["E."], year=2001)
    merging.merge(dup.pk, keep.pk)
    assert _due_now() == set()


def test_an_outcome_sets_when_the_paper_is_next_due():
    paper = _placeholder("Smith2015x", "legacy")
    refresh.run(limit=1, stale_days=180, fetch=recorded_fetcher())  # no source
    paper.refresh_from_db()
    assert paper.metadata_need == Paper.NEED_PLACEHOLDER
    assert paper.metadata_checked_at is not None
    assert paper.metadata_due_at == paper.metadata_checked_at + dt.timedelta(days=180)
    # A shorter --stale-days brings it forward; a longer one changes nothing.
    in_a_month = timezone.now() + dt.timedelta(days=31)
    assert refresh.due(stale_days=30, now=in_a_month) == [paper]
    assert refresh.due(stale_days=365, now=in_a_month) == []


def test_a_lower_stale_age_does_not_ask_a_failed_paper_before_its_retry_time():
    paper = _placeholder("conf/iccv/Girshick15")
    refresh.run(limit=1, stale_days=180, fetch=recorded_fetcher(down))
    paper.refresh_from_db()
    assert paper.metadata_due_at == paper.metadata_retry_at
    assert refresh.due(stale_days=0) == []
    assert refresh.due(stale_days=0, now=paper.metadata_retry_at) == [paper]


def test_a_batch_is_cut_at_the_limit_across_needs():
    placeholders = [_placeholder(f"conf/iccv/L{n}") for n in range(3)]
    incomplete = [Paper.objects.create(title=f"No authors {n}") for n in range(3)]
    assert refresh.due(stale_days=180, limit=4) == [*placeholders, incomplete[0]]
    assert refresh.due(stale_days=180, limit=2) == placeholders[:2]


def test_the_migration_fills_the_refresh_state_of_existing_papers():
    fill = importlib.import_module("shortscience.migrations.0018_metadata_refresh")
    placeholder = _placeholder("conf/iccv/M1")
    incomplete = Paper.objects.create(title="Old, without authors")
    complete = Paper.objects.create(title="Old, complete", authors=["F."], year=1999)
    Paper.objects.update(metadata_need=2, metadata_due_at=None)  # as before the migration
    fill.fill_refresh_state(apps, SimpleNamespace(connection=connection))  # only its alias
    assert refresh.due(stale_days=180) == [placeholder, incomplete]
    complete.refresh_from_db()
    assert complete.metadata_due_at == complete.created_at + dt.timedelta(days=180)


def _slow(seconds: float, then, calls: list[str] | None = None):
    """A source slower than the add page's deadline: it answers (or fails) after `seconds`."""
    answer = recorded_fetcher()

    def fetch(url: str, params: dict[str, str]) -> bytes:
        if calls is not None:
            calls.append(url)
        time.sleep(seconds)
        if then is None:
            return answer(url, params)
        raise then

    return fetch


def test_a_source_slower_than_the_add_pages_deadline_that_then_fails_is_a_failure(settings):
    # The add page waits METADATA_LOOKUP_SECONDS; the refresh waits for the source's own
    # timeouts, so a slow failure is not taken for "no source knows it" (skipped 180 days).
    settings.METADATA_LOOKUP_SECONDS = 0.05
    slow = _placeholder("conf/iccv/Girshick15")
    other = _placeholder("conf/iccv/Other15")
    calls: list[str] = []
    error = FetchError("ReadTimeout: timed out", "https://dblp.org/rec/x.xml")
    done = refresh.run(limit=5, stale_days=180, fetch=_slow(0.4, error, calls))
    assert {item.paper_id: item.outcome for item in done} == {
        slow.pk: "failed",
        other.pk: "failed",
    }
    slow.refresh_from_db()
    assert slow.metadata_check == Paper.Check.FAILED
    assert slow.metadata_retry_at is not None
    assert len(calls) == 1  # the source that failed is not asked again in this run


def test_a_source_slower_than_the_add_pages_deadline_still_fills_the_paper(settings):
    settings.METADATA_LOOKUP_SECONDS = 0.05
    paper = _placeholder("conf/iccv/Girshick15")
    [item] = refresh.run(limit=1, stale_days=180, fetch=_slow(0.2, None))
    assert item.outcome == "updated"
    paper.refresh_from_db()
    assert paper.title == "Fast R-CNN"


def test_a_source_still_answering_when_the_run_ends_keeps_its_client_until_it_is_done(
    monkeypatch,
):
    release, started = threading.Event(), threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        started.set()
        release.wait(5)
        return route(request)

    class Watched(Fetcher):
        closed = False

        def close(self) -> None:
            self.closed = True
            super().close()

    made: list[Watched] = []

    def fetcher_for(host: str) -> Fetcher:
        made.append(Watched("t@example.org", transport=httpx.MockTransport(handler)))
        return made[-1]

    monkeypatch.setattr(refresh, "fetcher_for", fetcher_for)
    sources = refresh.Sources()
    bodies: list[bytes] = []
    url = "https://dblp.org/rec/conf/iccv/Girshick15.xml"
    late = threading.Thread(target=lambda: bodies.append(sources(url, {})))
    late.start()
    assert started.wait(5)
    sources.close(wait=0)  # the run is over, its lookup had stopped waiting
    assert not made[0].closed  # not closed under the request still going
    with pytest.raises(FetchError):
        sources(url, {})  # nothing new is asked after the run
    release.set()
    late.join(5)
    assert bodies and bodies[0].startswith(b"<")
    assert made[0].closed  # closed once the last request ended


def test_an_admins_edit_made_while_the_batch_runs_is_kept(monkeypatch):
    paper = _placeholder("conf/iccv/Girshick15")
    real = lookup.fetch_candidate

    def fetch_candidate(token, fetch=None, deadline=None):
        # The admin saves the paper while the sources are being asked.
        Paper.objects.filter(pk=paper.pk).update(
            title="Fast R-CNN, as the admin wrote it", authors=["R. G."], field="cs"
        )
        return real(token, fetch, deadline)

    monkeypatch.setattr(lookup, "fetch_candidate", fetch_candidate)
    [item] = refresh.run(limit=1, stale_days=180, fetch=recorded_fetcher())
    assert item.outcome == "updated"
    paper.refresh_from_db()
    assert paper.title == "Fast R-CNN, as the admin wrote it"
    assert paper.authors == ["R. G."]
    assert paper.field == "cs"
    assert paper.year == 2015  # still empty when the answer came: filled


def test_a_refreshed_title_is_found_by_the_add_pages_duplicate_check():
    paper = _placeholder("conf/iccv/Girshick15")
    assert lookup.already_here(PaperMetadata(title="Fast R-CNN")) == []
    refresh.run(limit=1, stale_days=180, fetch=recorded_fetcher())
    paper.refresh_from_db()
    assert paper.title == "Fast R-CNN"
    assert paper.title_key == "fast r cnn"
    assert lookup.already_here(PaperMetadata(title="fast R-CNN")) == [paper]
