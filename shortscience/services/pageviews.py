"""View counts of paper and summary pages, without cookies and without storing who viewed
(docs/rankings.md, "Views").

A page that may be served from the page cache (or by nginx without Python) cannot count in its
view, so every paper and summary page loads `static/shortscience/pageviews.js`, which posts an
empty beacon to `/views/<kind>/<id>/`; `record` counts it. A view counts once per visitor, page
and UTC day: the visitor is known only as an HMAC of (the day's random salt, IP address,
user agent, page), kept in the cache until the day ends (and one address counts at most
ADDRESS_PAGE_DAILY_MAX views of a page a day, whatever user agents it sends); the salt itself
expires with the day, so not even the cache can link two days or recover an address. Bots (by
user agent, or without one) and prefetches are not counted.

Counting never touches the database: `record` costs a few cache calls (Redis in production, the
shared file cache in `make run`) and appends the view to a numbered log in the cache.
`flush` (a huey task every `FLUSH_MINUTES`) reads the log, adds it to the stored counts in one
transaction of a few batched statements, and bumps a page's cache tags only when the number it
shows (`label`) changes. `refresh_popular` (nightly) stores each summary's views of the 30 days
before today, which the home page's Popular tab orders by.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shortscience.models import Paper, Summary, SummaryViewDay
from shortscience.services import pagecache

logger = logging.getLogger(__name__)

KINDS = ("paper", "summary")
POPULAR_DAYS = 30
FLUSH_MINUTES = 10
CHUNK = 500
#: One address counts at most this many views of one page a day, however many user agents it
#: sends (a lab behind one NAT reads a paper together; a script cycling user agents does not).
ADDRESS_PAGE_DAILY_MAX = 20
# Crawlers, link previewers, monitors and HTTP libraries (matched case-insensitively anywhere in
# the User-Agent). Most never run the beacon's script; the headless ones that do say so here.
BOTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|scrap|fetch|preview|monitor|checker|validator|"
    r"headless|phantomjs|selenium|puppeteer|playwright|lighthouse|pagespeed|"
    r"curl|wget|httpie|python|java/|go-http|okhttp|axios|node-fetch|libwww|ruby|perl|php|"
    r"facebookexternalhit|embedly|whatsapp|telegram|discord|slack|skype|bingpreview",
    re.IGNORECASE,
)
# Every key starts with "vw:", which shortscience/caching.py counts as a counter (the file
# cache's culling never deletes one at random).
_SALT = "vw:salt:{day}"
_SEEN = "vw:seen:{digest}"
_ADDRESS = "vw:addr:{digest}"  # views counted today from one address on one page
_SEQ = "vw:seq"  # number of the last view appended to the log
_DONE = "vw:done"  # number of the last view flushed into the database
_GAP = "vw:gap"  # a log number found missing by the last flush
_ENTRY = "vw:e:{n}"
_LOCK = "vw:flushing"
_ENTRY_SECONDS = 7 * 24 * 3600  # a view not flushed within a week is dropped


@dataclass(frozen=True)
class Visit:
    """What the beacon request says, as the view read it; the address never leaves `record`."""

    kind: str
    object_id: int
    ip: str
    user_agent: str
    prefetch: bool = False


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOTS.search(user_agent))


def _day(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(UTC).date()


def _seconds_left_today(now: datetime) -> int:
    tomorrow = datetime.combine(_day(now) + timedelta(days=1), datetime.min.time(), UTC)
    return max(int((tomorrow - now).total_seconds()), 1)


def _salt(day: date, now: datetime) -> str:
    key = _SALT.format(day=day.isoformat())
    found = cache.get(key)
    if found is None:
        # Kept a minute past midnight at most: the last views of the day still find it.
        cache.add(key, secrets.token_hex(32), timeout=_seconds_left_today(now) + 60)
        found = cache.get(key)
    return str(found) if found is not None else ""


def record(visit: Visit, now: datetime | None = None) -> bool:
    """Count this visit unless it is a bot, a prefetch or a repeat today; True when counted.
    No database query, and never raises: a cache that fails loses the view, not the page."""
    if visit.kind not in KINDS or visit.prefetch or is_bot(visit.user_agent):
        return False
    now = now or timezone.now()
    day = _day(now)
    try:
        salt = _salt(day, now)
        if not salt:
            return False  # the cache is not answering: nothing would be remembered anyway
        page = f"{visit.kind}:{visit.object_id}"
        digest = hmac.new(
            salt.encode(), f"{visit.ip}\n{visit.user_agent}\n{page}".encode(), hashlib.sha256
        ).hexdigest()[:32]
        left = _seconds_left_today(now)
        if not cache.add(_SEEN.format(digest=digest), 1, timeout=left):
            return False
        address = hmac.new(
            salt.encode(), f"{visit.ip}\n{page}".encode(), hashlib.sha256
        ).hexdigest()[:32]
        address_key = _ADDRESS.format(digest=address)
        cache.add(address_key, 0, timeout=left)
        if cache.incr(address_key) > ADDRESS_PAGE_DAILY_MAX:
            return False
        cache.add(_SEQ, 0, timeout=None)
        number = cache.incr(_SEQ)
        cache.set(_ENTRY.format(n=number), f"{page}:{day.isoformat()}", timeout=_ENTRY_SECONDS)
    except Exception as error:  # any backend's failure: the reader's page is not concerned
        logger.warning("A page view was not counted (%s: %s)", type(error).__name__, error)
        return False
    return True


def pending() -> int:
    """How many counted views wait for the next flush."""
    return max(int(cache.get(_SEQ) or 0) - int(cache.get(_DONE) or 0), 0)


# --- Flush: the log into the database ------------------------------------------------------


@dataclass
class Batch:
    """Views read from the log: by (page kind, id, day)."""

    hits: Counter[tuple[str, int, date]]
    last: int  # the log number up to which this batch reaches
    keys: list[str]


def _read_log() -> Batch:
    last = int(cache.get(_SEQ) or 0)
    done = int(cache.get(_DONE) or 0)
    if done > last:  # the cache lost the log (a flushed Redis): start again from its start
        done = 0
    hits: Counter[tuple[str, int, date]] = Counter()
    keys: list[str] = []
    reached = done
    gap = cache.get(_GAP)
    for start in range(done + 1, last + 1, CHUNK):
        numbers = range(start, min(start + CHUNK, last + 1))
        found = cache.get_many([_ENTRY.format(n=n) for n in numbers])
        for n in numbers:
            key = _ENTRY.format(n=n)
            if key not in found:
                # Numbered but not written yet (a beacon between its incr and its set), or lost:
                # wait for it one flush, then go past it.
                if gap != n:
                    cache.set(_GAP, n, timeout=None)
                    return Batch(hits, reached, keys)
            else:
                kind, object_id, day = str(found[key]).split(":")
                hits[(kind, int(object_id), date.fromisoformat(day))] += 1
                keys.append(key)
            reached = n
    return Batch(hits, reached, keys)


def flush() -> int:
    """Add the logged views to the stored counts; returns how many views it stored. One flush
    at a time (a lock in the cache); the log advances only after the transaction commits."""
    if not cache.add(_LOCK, 1, timeout=600):
        return 0
    try:
        batch = _read_log()
        if batch.hits:
            with transaction.atomic():
                _store(batch.hits)
        cache.set(_DONE, batch.last, timeout=None)
        cache.delete_many(batch.keys)
        return sum(batch.hits.values())
    finally:
        cache.delete(_LOCK)


def _store(hits: Mapping[tuple[str, int, date], int]) -> None:
    paper_views: Counter[int] = Counter()
    paper_days: dict[int, Counter[date]] = {}
    summary_days: Counter[tuple[int, date]] = Counter()
    for (kind, object_id, day), n in hits.items():
        if kind == "paper":
            paper_views[object_id] += n
            paper_days.setdefault(object_id, Counter())[day] += n
        else:
            summary_days[(object_id, day)] += n
    # A paper's page shows its public summaries in full: each of them was read there too.
    shown = Summary.objects.public().filter(paper_id__in=list(paper_views))
    for summary_id, paper_id in shown.values_list("pk", "paper_id"):
        for day, n in paper_days[paper_id].items():
            summary_days[(summary_id, day)] += n
    tags = _add_to_papers(paper_views) + _add_to_summaries(summary_days)
    if tags:
        pagecache.touch(*tags)


def _add_to_papers(views: Mapping[int, int]) -> list[str]:
    rows = list(Paper.objects.filter(pk__in=list(views)).only("pk", "view_count"))
    tags = []
    for paper in rows:
        before = paper.view_count
        paper.view_count += views[paper.pk]
        if label(before) != label(paper.view_count):
            tags.append(pagecache.paper(paper.pk))
    Paper.objects.bulk_update(rows, ["view_count"], batch_size=CHUNK)
    return tags


def _add_to_summaries(days: Mapping[tuple[int, date], int]) -> list[str]:
    totals: Counter[int] = Counter()
    for (summary_id, _), n in days.items():
        totals[summary_id] += n
    # Only public summaries count: a beacon naming a draft, a private or a missing one is ignored.
    rows = list(
        Summary.objects.public().filter(pk__in=list(totals)).only("pk", "paper_id", "view_count")
    )
    tags = []
    for summary in rows:
        before = summary.view_count
        summary.view_count += totals[summary.pk]
        if label(before) != label(summary.view_count):
            tags += [pagecache.summary(summary.pk), pagecache.paper(summary.paper_id)]
    Summary.objects.bulk_update(rows, ["view_count"], batch_size=CHUNK)
    public = {summary.pk for summary in rows}
    wanted = {key: n for key, n in days.items() if key[0] in public}
    existing = {
        (row.summary_id, row.day): row
        for row in SummaryViewDay.objects.filter(
            summary_id__in=public, day__in={day for _, day in wanted}
        )
    }
    for key, row in existing.items():
        if key in wanted:
            row.views += wanted[key]
    SummaryViewDay.objects.bulk_update(existing.values(), ["views"], batch_size=CHUNK)
    SummaryViewDay.objects.bulk_create(
        [
            SummaryViewDay(summary_id=summary_id, day=day, views=n)
            for (summary_id, day), n in wanted.items()
            if (summary_id, day) not in existing
        ],
        batch_size=CHUNK,
    )
    return tags


def label(views: int) -> str:
    """The number a page shows: exact below 100, then two significant digits, rounded down
    (120+, 1.2k, 12k...). Pages are re-rendered only when this changes (docs/rankings.md)."""
    if views < 100:
        return str(views)
    if views < 1000:
        return f"{views // 10 * 10}+"
    if views < 10_000:
        return f"{views // 100 / 10:.1f}k"
    if views < 1_000_000:
        return f"{views // 1000}k"
    return f"{views // 100_000 / 10:.1f}M"


# --- Popular: the last 30 days --------------------------------------------------------------


def refresh_popular(today: date | None = None) -> int:
    """Store each summary's views of the 30 days before `today` and drop older day rows;
    returns how many summaries changed. Bumps the lists' page tags when any did."""
    today = today or _day()
    start = today - timedelta(days=POPULAR_DAYS)
    totals = dict(
        SummaryViewDay.objects.filter(day__gte=start, day__lt=today)
        .values("summary_id")
        .annotate(n=Sum("views"))
        .values_list("summary_id", "n")
    )
    current = dict(Summary.objects.filter(recent_views__gt=0).values_list("pk", "recent_views"))
    changed = [
        Summary(pk=pk, recent_views=totals.get(pk, 0))
        for pk in set(totals) | set(current)
        if totals.get(pk, 0) != current.get(pk, 0)
    ]
    with transaction.atomic():
        Summary.objects.bulk_update(changed, ["recent_views"], batch_size=CHUNK)
        SummaryViewDay.objects.filter(day__lt=start).delete()
        if changed:
            pagecache.touch(pagecache.LISTS)
    return len(changed)


@db_periodic_task(crontab(minute=f"*/{FLUSH_MINUTES}"))
def flush_views() -> None:
    flush()


@db_periodic_task(crontab(minute="7", hour="0"))
def refresh_popular_daily() -> None:
    """Just after midnight UTC: yesterday is complete, so the 30-day window moves by a day."""
    flush()
    refresh_popular()
