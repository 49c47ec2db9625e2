"""View counts: once a visitor a day, bots and prefetches left out, nothing in the database until
the flush, no address stored anywhere, page tags bumped only when the shown number changes."""

from __future__ import annotations

import glob
import pickle
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shortscience.models import Paper, Summary, SummaryViewDay
from shortscience.services import pagecache, pageviews, rankings
from tests.factories import make_paper, make_summary

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NOON = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def visit(
    kind: str, object_id: int, ip: str = "192.0.2.7", ua: str = BROWSER, **extra: Any
) -> pageviews.Visit:
    return pageviews.Visit(kind=kind, object_id=object_id, ip=ip, user_agent=ua, **extra)


def stored(summary: Summary) -> int:
    return Summary.objects.values_list("view_count", flat=True).get(pk=summary.pk)


def test_a_visitor_counts_once_a_day_per_page():
    summary = make_summary()
    assert pageviews.record(visit("summary", summary.pk), NOON)
    assert not pageviews.record(visit("summary", summary.pk), NOON + timedelta(hours=3))
    assert pageviews.record(visit("summary", summary.pk, ip="192.0.2.8"), NOON)
    assert pageviews.record(visit("summary", summary.pk, ua=BROWSER + " Edge"), NOON)
    assert pageviews.record(visit("paper", summary.paper_id), NOON)
    # The next day the same visitor counts again.
    assert pageviews.record(visit("summary", summary.pk), NOON + timedelta(days=1))
    assert pageviews.pending() == 5


@pytest.mark.parametrize(
    "ua",
    [
        "",
        "   ",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
        "curl/8.5.0",
        "python-requests/2.32",
        "facebookexternalhit/1.1",
        "Slackbot-LinkExpanding 1.0",
    ],
)
def test_bots_and_requests_without_a_user_agent_are_not_counted(ua):
    summary = make_summary()
    assert not pageviews.record(visit("summary", summary.pk, ua=ua))
    assert pageviews.pending() == 0


def test_prefetches_and_unknown_kinds_are_not_counted():
    summary = make_summary()
    assert not pageviews.record(visit("summary", summary.pk, prefetch=True))
    assert not pageviews.record(visit("user", summary.pk))
    assert pageviews.pending() == 0


def test_many_views_cost_no_query_until_the_flush_writes_them_in_a_few_statements():
    summary = make_summary()
    with CaptureQueriesContext(connection) as recording:
        for n in range(50):
            pageviews.record(visit("summary", summary.pk, ip=f"198.51.100.{n}"))
    assert len(recording) == 0
    assert stored(summary) == 0
    with CaptureQueriesContext(connection) as flushing:
        assert pageviews.flush() == 50
    writes = [q for q in flushing if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(writes) <= 6  # whatever the number of views: batched updates and inserts
    assert stored(summary) == 50
    assert SummaryViewDay.objects.get(summary=summary).views == 50
    assert pageviews.pending() == 0
    assert pageviews.flush() == 0  # nothing counted twice


def test_a_paper_page_view_counts_for_the_paper_and_each_public_summary_it_shows():
    paper = make_paper()
    shown, other = make_summary(paper=paper), make_summary(paper=paper)
    draft = make_summary(paper=paper, publish=False)
    pageviews.record(visit("paper", paper.pk))
    pageviews.record(visit("summary", shown.pk))
    pageviews.flush()
    assert Paper.objects.get(pk=paper.pk).view_count == 1
    assert stored(shown) == 2
    assert stored(other) == 1
    assert stored(draft) == 0


def test_beacons_naming_drafts_private_or_missing_summaries_change_nothing():
    draft = make_summary(publish=False)
    private = make_summary(private=True)
    for object_id in (draft.pk, private.pk, 999_999):
        pageviews.record(visit("summary", object_id))
    pageviews.record(visit("paper", 999_999))
    pageviews.flush()
    assert stored(draft) == stored(private) == 0
    assert not SummaryViewDay.objects.exists()
    assert pageviews.pending() == 0


def test_no_address_or_user_agent_is_stored_in_the_database_or_the_cache():
    summary = make_summary()
    ip, ua = "203.0.113.77", BROWSER + " Unique/42"
    pageviews.record(visit("summary", summary.pk, ip=ip, ua=ua))
    held = _cache_contents()
    assert held  # the view's marks are there...
    assert not any(ip.encode() in blob or b"Unique/42" in blob for blob in held)  # ...not who
    pageviews.flush()
    for model in (Summary, Paper, SummaryViewDay):
        for row in model.objects.values():
            assert ip not in repr(row) and "Unique/42" not in repr(row)


def _cache_contents() -> list[bytes]:
    """Every key and value the tests' cache holds (the file cache, or Redis with CACHE_URL)."""
    backend: Any = cache
    if hasattr(backend, "_cache"):  # Redis: raw keys and values
        client = backend._cache.get_client()
        return [key + b" " + (client.get(key) or b"") for key in client.keys("*")]
    found = []
    for name in glob.glob(f"{backend._dir}/**/*.djcache", recursive=True):
        with open(name, "rb") as f:
            pickle.load(f)  # noqa: S301 -- the expiry, in the test's own cache files
            found.append(repr(pickle.loads(zlib.decompress(f.read()))).encode())  # noqa: S301
    return found


def test_the_flush_waits_once_for_a_numbered_view_not_written_yet_then_goes_past_it():
    summary = make_summary()
    pageviews.record(visit("summary", summary.pk, ip="192.0.2.1"))
    cache.incr("vw:seq")  # a beacon between its number and its entry
    pageviews.record(visit("summary", summary.pk, ip="192.0.2.2"))
    assert pageviews.flush() == 1
    assert pageviews.flush() == 1  # the missing one is skipped on the second try
    assert stored(summary) == 2
    assert pageviews.pending() == 0


def test_page_tags_are_bumped_only_when_the_shown_number_changes():
    summary = make_summary()
    Summary.objects.filter(pk=summary.pk).update(view_count=120)

    def version() -> str:
        return pagecache.versions([pagecache.summary(summary.pk)])[0]

    before = version()
    pageviews.record(visit("summary", summary.pk, ip="192.0.2.1"))
    pageviews.flush()
    assert stored(summary) == 121 and version() == before  # still "120+"
    for n in range(9):
        pageviews.record(visit("summary", summary.pk, ip=f"192.0.2.{10 + n}"))
    pageviews.flush()
    assert stored(summary) == 130 and version() != before  # now "130+"


@pytest.mark.parametrize(
    ("views", "shown"),
    [
        (0, "0"),
        (7, "7"),
        (99, "99"),
        (100, "100+"),
        (129, "120+"),
        (1250, "1.2k"),
        (9999, "9.9k"),
        (12_345, "12k"),
        (2_345_678, "2.3M"),
    ],
)
def test_labels_round_down_to_two_significant_digits(views, shown):
    assert pageviews.label(views) == shown


def test_popular_orders_by_the_views_of_the_30_days_before_today():
    now = datetime.now(UTC)
    today = now.date()
    old, steady, fresh, unseen = make_summary(), make_summary(), make_summary(), make_summary()
    SummaryViewDay.objects.bulk_create(
        [
            SummaryViewDay(summary=old, day=today - timedelta(days=31), views=500),
            SummaryViewDay(summary=old, day=today - timedelta(days=29), views=3),
            SummaryViewDay(summary=steady, day=today - timedelta(days=1), views=10),
            SummaryViewDay(summary=steady, day=today - timedelta(days=20), views=10),
            SummaryViewDay(summary=fresh, day=today, views=100),  # today is not complete yet
        ]
    )
    lists = pagecache.versions([pagecache.LISTS])
    assert pageviews.refresh_popular(today) == 2
    assert pagecache.versions([pagecache.LISTS]) != lists
    ids = [s.pk for s in rankings.ranked(rankings.Ranking("viewed"))]
    assert ids[:2] == [steady.pk, old.pk]
    assert set(ids[2:]) == {fresh.pk, unseen.pk}
    assert Summary.objects.get(pk=steady.pk).recent_views == 20
    assert not SummaryViewDay.objects.filter(day__lt=today - timedelta(days=30)).exists()
    lists = pagecache.versions([pagecache.LISTS])
    assert pageviews.refresh_popular(today) == 0  # nothing changed: the lists stay cached
    assert pagecache.versions([pagecache.LISTS]) == lists


def test_the_daily_task_flushes_first_then_moves_the_window():
    summary = make_summary()
    yesterday = datetime.now(UTC) - timedelta(days=1)
    pageviews.record(visit("summary", summary.pk), yesterday)
    pageviews.refresh_popular_daily.call_local()
    summary.refresh_from_db()
    assert summary.view_count == 1
    assert summary.recent_views == 1


def test_one_address_cycling_user_agents_counts_a_bounded_number_of_views_of_a_page():
    summary, other = make_summary(), make_summary()
    counted = [
        pageviews.record(visit("summary", summary.pk, ua=f"{BROWSER} n{n}"), NOON)
        for n in range(pageviews.ADDRESS_PAGE_DAILY_MAX + 5)
    ]
    assert counted.count(True) == pageviews.ADDRESS_PAGE_DAILY_MAX
    assert pageviews.record(visit("summary", other.pk), NOON)  # another page
    assert pageviews.record(visit("summary", summary.pk, ip="198.51.100.1"), NOON)
    assert pageviews.record(  # the next day starts again
        visit("summary", summary.pk, ua=f"{BROWSER} n0"), NOON + timedelta(days=1)
    )
