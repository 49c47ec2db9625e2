"""Refreshing papers' metadata from the outside sources: the placeholders the old site's CSV
import made (titled with their key), papers missing authors or a year, and records not asked
about for a while.

A run takes a bounded batch ordered by need (placeholders first, then incomplete papers, then
the longest unasked), asks the sources by the paper's identifiers through
`lookup.fetch_candidate` (with the Semantic Scholar enrichment it does) and fills only what is
empty or a placeholder: a title that is one of the paper's own keys, empty authors, year,
abstract, link, categories and venue, and identifiers nobody holds yet. Nothing records which
fields a person edited in the admin, so nothing already filled in is ever replaced. That rule
is services/filling.py's, shared with the add flow, which fills a placeholder a writer pastes
an identifier of.

Failing soft: each source has its own timeouts, a request is retried with backoff (the shared
`metadata.http.Fetcher`) and waited for up to those timeouts (not the add page's deadline: a
source cut short would pass for one that does not know the paper), and a source that does not
answer is not asked again for the rest of the run; its papers are marked failed and asked again
after a delay that doubles with each failure in a row (an hour, two, four... at most the stale
age). Each paper's outcome and when it was asked are kept on it (`Paper.metadata_check`,
`metadata_checked_at`), with what the batch is read by: how needy it is and when it is next due
(`metadata_need`, `metadata_due_at`, computed by `Paper.set_metadata_due` on every save and bulk
create).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shortscience.metadata.http import (
    DEFAULT_INTERVAL,
    DEFAULT_MIN_INTERVALS,
    RETRY_STATUSES,
    Fetcher,
    FetchError,
    FetchFn,
)
from shortscience.metadata.types import PaperMetadata, Scheme
from shortscience.models import Paper
from shortscience.services import filling, lookup, outbound
from shortscience.services.errors import InvalidInput

logger = logging.getLogger(__name__)

Check = Paper.Check

# Read timeouts per source host (seconds), shorter than a writer's lookup: nobody waits on a
# refresh, but one slow source must not hold a whole batch.
SOURCE_TIMEOUTS: dict[str, float] = {
    "export.arxiv.org": 10.0,
    "api.crossref.org": 8.0,
    "dblp.org": 8.0,
    "api.openreview.net": 8.0,
    "api.semanticscholar.org": 6.0,
}
DEFAULT_TIMEOUT = 8.0
CONNECT_TIMEOUT = 4.0
ATTEMPTS = 2  # per request, with the Fetcher's exponential backoff between them
RETRY_AFTER_CAP = 10.0  # the longest a source's Retry-After is waited for between attempts
FRESH_FOR = dt.timedelta(days=1)  # a stored answer younger than this is used instead of asking
RETRY_FIRST = dt.timedelta(hours=1)
ZERO = dt.timedelta(0)
# Which identifier to ask by first: arXiv answers with an abstract, Crossref with ORCIDs.
ASK_ORDER = (Scheme.ARXIV, Scheme.DOI, Scheme.DBLP, Scheme.OPENREVIEW)


@dataclass
class Refreshed:
    """What became of one paper: its outcome and the fields filled in."""

    paper_id: int
    title: str
    outcome: str
    filled: list[str] = field(default_factory=list)
    note: str = ""


def fetcher_for(host: str) -> FetchFn:
    """A Fetcher with this source's timeouts, keeping answers in the shared RawResponse store."""
    fetcher = Fetcher(
        settings.METADATA_CONTACT_EMAIL,
        cache=outbound.DatabaseCache(),
        max_age=FRESH_FOR.total_seconds(),
        max_attempts=ATTEMPTS,
        backoff_base=2.0,
        retry_after_cap=RETRY_AFTER_CAP,
    )
    read = SOURCE_TIMEOUTS.get(host, DEFAULT_TIMEOUT)
    fetcher.timeout = httpx.Timeout(read, connect=CONNECT_TIMEOUT)
    return fetcher


def request_budget(host: str) -> float:
    """The longest one request to `host` takes before its fetcher gives up: every attempt at
    the source's timeouts, the waits between them and the host's request interval."""
    read = SOURCE_TIMEOUTS.get(host, DEFAULT_TIMEOUT)
    waits = (ATTEMPTS - 1) * RETRY_AFTER_CAP + DEFAULT_MIN_INTERVALS.get(host, DEFAULT_INTERVAL)
    return ATTEMPTS * (CONNECT_TIMEOUT + read) + waits


# How long one paper's lookup is waited for: its source (OpenReview may take two requests) and
# the Semantic Scholar enrichment, each at the slowest source's budget. The fetchers' own
# timeouts end a request well before; this only bounds a source that keeps them from doing so.
# It is not the add page's METADATA_LOOKUP_SECONDS: nobody waits on a refresh, and a source
# cut short would pass for one that does not know the paper.
ASK_SECONDS = 3 * max(request_budget(host) for host in SOURCE_TIMEOUTS)


class Sources:
    """The fetch function of one run: each host through its own fetcher (or all through `fetch`,
    in tests), a host that failed is not asked again in this run, and failures are counted so
    the run can tell "the source did not answer" from "the source does not know the paper".

    A lookup asks from its own threads, and one that is late may still be asking after the
    run is over: `close` waits for the requests under way (up to `ASK_SECONDS`), and if one
    is still running then, the fetchers are closed when the last request ends, never under
    it. A request begun after `close` fails at once."""

    def __init__(self, fetch: FetchFn | None = None) -> None:
        self._fetch = fetch
        self._by_host: dict[str, FetchFn] = {}
        self._down: set[str] = set()
        self._lock = threading.Lock()  # lookups may ask several sources at once
        self._idle = threading.Condition(self._lock)
        self._under_way = 0
        self._closed = False
        self.failures = 0

    def __call__(self, url: str, params: dict[str, str]) -> bytes:
        host = httpx.URL(url).host.lower()
        with self._lock:
            if self._closed:
                raise FetchError("the refresh run is over", url)
            if host in self._down:
                self.failures += 1
                raise FetchError(f"{host} did not answer earlier in this run", url)
            fetch = self._fetch or self._by_host.get(host)
            if fetch is None:
                fetch = self._by_host[host] = fetcher_for(host)
            self._under_way += 1
        try:
            return fetch(url, params)
        except FetchError as error:
            transient = error.status is None or error.status in RETRY_STATUSES
            if transient:  # a 404 is an answer ("unknown"), handled by the source module
                with self._lock:
                    self.failures += 1
                    if type(error) is FetchError:  # a malformed body is no sign of a host down
                        self._down.add(host)
            raise
        finally:
            with self._lock:
                self._under_way -= 1
                if not self._under_way:
                    self._idle.notify_all()
                    if self._closed:
                        self._close_fetchers()

    def close(self, wait: float = ASK_SECONDS) -> None:
        with self._lock:
            self._closed = True
            if not self._idle.wait_for(lambda: not self._under_way, timeout=wait):
                logger.warning("metadata refresh: a source still asked after the run")
                return  # the last request to end closes the fetchers
            self._close_fetchers()

    def _close_fetchers(self) -> None:
        for fetch in self._by_host.values():
            if isinstance(fetch, Fetcher):
                fetch.close()
        self._by_host.clear()


def due(
    *,
    stale_days: int,
    limit: int = 100,
    placeholders_only: bool = False,
    now: dt.datetime | None = None,
) -> list[Paper]:
    """At most `limit` papers to ask about, most in need first: placeholders, then papers
    without authors or a year, then the rest, each longest due first. A paper is due when its
    stored `metadata_due_at` has come (see `Paper.set_metadata_due`).

    One query per need (at most three), each a range of the paper_metadata_due index that
    stops after `limit` rows, whatever the number of papers. `stale_days` below
    METADATA_REFRESH_STALE_DAYS brings forward the papers not waiting for a retry by the
    difference; above it, it changes nothing (the stored due time is the setting's)."""
    now = now or timezone.now()
    upto = now + max(dt.timedelta(days=settings.METADATA_REFRESH_STALE_DAYS - stale_days), ZERO)
    needs = [Paper.NEED_PLACEHOLDER]
    if not placeholders_only:
        needs += [Paper.NEED_INCOMPLETE, Paper.NEED_COMPLETE]
    batch: list[Paper] = []
    for need in needs:
        if len(batch) >= limit:
            break
        papers = Paper.objects.filter(metadata_need=need, metadata_due_at__lte=upto)
        if upto > now:  # a failed paper still waits for its retry time
            papers = papers.filter(
                Q(metadata_retry_at__isnull=True) | Q(metadata_retry_at__lte=now)
            )
        batch += papers.order_by("metadata_due_at", "pk")[: limit - len(batch)]
    return batch


def run(
    *,
    limit: int,
    stale_days: int,
    placeholders_only: bool = False,
    dry_run: bool = False,
    fetch: FetchFn | None = None,
) -> list[Refreshed]:
    """Refresh at most `limit` due papers, one at a time; `dry_run` lists them and asks nobody."""
    batch = due(stale_days=stale_days, limit=max(limit, 0), placeholders_only=placeholders_only)
    prefetch_related_objects(batch, "identifiers")
    if dry_run:
        return [Refreshed(paper.pk, paper.title, "due") for paper in batch]
    sources = Sources(fetch)
    done: list[Refreshed] = []
    try:
        for paper in batch:
            try:
                done.append(refresh_paper(paper, sources))
            except Exception:
                # One paper's surprise (a source's new answer shape) must not stop the batch:
                # it is logged, and the paper is asked again later like any failure.
                logger.exception("metadata refresh of paper %s failed", paper.pk)
                done.append(_record(paper, Check.FAILED))
    finally:
        sources.close()
    return done


def refresh_paper(paper: Paper, sources: Sources) -> Refreshed:
    """Ask the sources about one paper and fill in what it lacks; never raises for a source."""
    idents = list(paper.identifiers.all())
    tokens = [
        f"{ident.scheme}:{ident.value}"
        for scheme in ASK_ORDER
        for ident in idents
        if ident.scheme == scheme
    ]
    if any(ident.scheme == Scheme.ARXIV for ident in idents):  # its arXiv DOI asks arXiv again
        tokens = [t for t in tokens if not t.startswith("doi:10.48550/")]
    if not tokens:
        return _record(paper, Check.NO_SOURCE)
    failures = sources.failures
    unavailable = False
    meta = None
    for token in tokens:
        try:
            meta = lookup.fetch_candidate(token, sources, deadline=ASK_SECONDS)
            break
        except lookup.SourceUnavailable:
            unavailable = True  # failed, or still not answering after ASK_SECONDS
        except InvalidInput:
            continue
        except FetchError as error:  # fetch_candidate reports these; a change there stays soft
            logger.warning("metadata refresh of paper %s: %s", paper.pk, error)
    if meta is None:
        failed = unavailable or sources.failures > failures
        return _record(paper, Check.FAILED if failed else Check.NOT_FOUND)
    return _fill(paper, meta)


def _fill(paper: Paper, meta: PaperMetadata) -> Refreshed:
    """Fill what the paper lacks from `meta` (services/filling.py, the add flow's rule too)."""
    done = filling.fill(paper, meta)
    if done.paper is None:  # merged into another or deleted since the batch was read
        return Refreshed(paper.pk, paper.title, Check.UNCHANGED, note=done.note)
    kept = done.paper
    return Refreshed(kept.pk, kept.title, kept.metadata_check, done.filled, done.note)


def _mark(paper: Paper, outcome: str, now: dt.datetime) -> None:
    if outcome != Check.FAILED:
        filling.mark_answered(paper, outcome, now)
        return
    paper.metadata_checked_at = now
    paper.metadata_check = outcome
    paper.metadata_failures = min(paper.metadata_failures + 1, 30)
    longest = dt.timedelta(days=settings.METADATA_REFRESH_STALE_DAYS)
    paper.metadata_retry_at = now + min(RETRY_FIRST * 2 ** (paper.metadata_failures - 1), longest)


def _record(batch_paper: Paper, outcome: str) -> Refreshed:
    """Keep an outcome that changed nothing else (no page shows it, so no event), on the row
    as it is now: its failures in a row, and its need should an admin have filled it in."""
    with transaction.atomic():
        paper = Paper.objects.select_for_update().filter(pk=batch_paper.pk).first()
        if paper is None:  # merged into another or deleted since the batch was read
            return Refreshed(batch_paper.pk, batch_paper.title, outcome, note="gone")
        _mark(paper, outcome, timezone.now())
        paper.save(update_fields=filling.CHECK_FIELDS)
    return Refreshed(paper.pk, paper.title, outcome)


@db_periodic_task(crontab(minute="23"))
def refresh_on_schedule() -> None:
    """Each hour, a batch of METADATA_REFRESH_BATCH papers (0, the default: off)."""
    batch = settings.METADATA_REFRESH_BATCH
    if batch <= 0:
        return
    done = run(limit=batch, stale_days=settings.METADATA_REFRESH_STALE_DAYS)
    outcomes = [item.outcome for item in done]
    logger.info(
        "Metadata refresh: %s papers asked, %s updated, %s failed (asked again later)",
        len(done),
        outcomes.count(Check.UPDATED),
        outcomes.count(Check.FAILED),
    )
