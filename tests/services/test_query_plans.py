"""The main pages' list queries read the index made for them: no full scan of a big table and no
sort of its rows, on SQLite and PostgreSQL.

The queries are captured from the real pages, so the test follows the code; each is then run
again under EXPLAIN. The tables here are tiny, so PostgreSQL is told to avoid scans and sorts
(on a few rows they are rightly cheapest); what is checked is that the intended index can serve
the query (its partial condition matches and its order is the query's order).
bench/bench_queries.py prints the same plans on a database of the old site's size.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shortscience.models import Paper, PaperCategory, Summary, User, Venue
from shortscience.services import events, maintenance, refresh
from tests.factories import make_user

pytestmark = pytest.mark.django_db

AUTHOR_FK = "shortscience_summary_author_id"  # Django's index of the foreign key
BIG_TABLES = {"shortscience_summary", "shortscience_paper", "shortscience_user"}


@pytest.fixture
def world() -> dict[str, Any]:
    """A venue with papers over two years, people, and summaries of every kind."""
    venue = Venue.objects.create(key="PLAN", name="Planning")
    papers = Paper.objects.bulk_create(
        Paper(title=f"Paper {n:02d}", year=2019 + n % 2, venue=venue, field="cs") for n in range(20)
    )
    people = [make_user() for _ in range(6)]
    now = timezone.now()
    rows = []
    for n in range(60):
        kind = n % 10
        rows.append(
            Summary(
                paper=papers[n % 20],
                author=people[n // 20 + (3 if kind == 9 else 0)],
                markdown="...",
                html="<p>...</p>",
                status="draft" if kind == 7 else "published",
                visibility="private" if kind == 8 else "public",
                is_hidden=kind == 6,
                is_anonymous=kind == 5,
                score=n % 4,
                hotness=float(n),
                recent_views=(n * 7) % 13,
                published_at=None if kind == 7 else now - timedelta(hours=n),
            )
        )
    Summary.objects.bulk_create(rows)
    for rank, person in enumerate(people):
        User.objects.filter(pk=person.pk).update(reputation=rank % 3)
    maintenance.analyse()
    return {"venue": venue, "paper": papers[0], "author": people[0]}


def captured(url: str, client: Client | None = None) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = (client or Client()).get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]


def the_query(queries: list[str], *needles: str) -> str:
    found = [sql for sql in queries if all(needle in sql for needle in needles)]
    assert found, (needles, queries)
    return found[0]


def explain(sql: str) -> list[str]:
    """The plan as lines: SQLite's EXPLAIN QUERY PLAN details, or for PostgreSQL one line per
    node, "<node type> <relation> <index>"."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return [row[-1] for row in cursor.fetchall()]
        # On a few rows a scan, or a bitmap scan then a sort, is rightly cheapest; forbid them
        # (as far as PostgreSQL can) to see whether the index serves the filter and the order.
        for method in ("seqscan", "bitmapscan", "sort", "incremental_sort"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        raw = cursor.fetchone()[0]
        plan = json.loads(raw) if isinstance(raw, str) else raw
        return list(_nodes(plan[0]["Plan"]))


def _nodes(node: dict[str, Any]) -> Iterator[str]:
    yield " ".join(
        str(node.get(key, "")) for key in ("Node Type", "Relation Name", "Index Name")
    ).strip()
    for child in node.get("Plans", []):
        yield from _nodes(child)


def assert_reads(sql: str, *indexes: str) -> None:
    """The plan reads one of `indexes`, scans no big table whole and sorts nothing."""
    plan = explain(sql)
    assert any(index in line for line in plan for index in indexes), (indexes, plan, sql)
    for line in plan:
        assert "TEMP B-TREE" not in line, (plan, sql)
        assert not line.startswith(("Sort", "Incremental Sort")), (plan, sql)
        if connection.vendor == "sqlite":
            words = line.split()
            # "SCAN <table>" without "USING ... INDEX" reads every row of the table.
            full = words[:1] == ["SCAN"] and "INDEX" not in line
            assert not (full and words[1] in BIG_TABLES), (plan, sql)
        else:
            assert not any(line == f"Seq Scan {table}" for table in BIG_TABLES), (plan, sql)


@pytest.mark.parametrize(
    ("tab", "index"),
    [
        ("hot", "summary_public_hot"),
        ("recent", "summary_public_recent"),
        ("best", "summary_public_best"),
        ("viewed", "summary_public_viewed"),  # Popular: views of the last 30 days
    ],
)
def test_each_home_tab_reads_its_own_index_of_public_summaries(world, tab, index):
    queries = captured(f"/?tab={tab}")
    assert_reads(the_query(queries, 'FROM "shortscience_summary"', "LIMIT"), index)


def test_the_next_home_page_seeks_into_the_same_index(world, settings):
    settings.PAGE_SIZE = 5
    first = Client().get("/?tab=best").content.decode()
    cursor = first.split('rel="next" href="?tab=best&amp;after=')[1].split('"')[0]
    queries = captured(f"/?tab=best&after={cursor}")
    assert_reads(the_query(queries, 'FROM "shortscience_summary"', "LIMIT"), "summary_public_best")


def test_the_paper_page_reads_the_papers_public_summaries_by_score(world):
    queries = captured(world["paper"].get_absolute_url())
    sql = the_query(queries, 'FROM "shortscience_summary"', '"paper_id" =', "ORDER BY")
    assert_reads(sql, "summary_public_paper")


def test_the_user_page_lists_and_counts_from_the_authors_index(world):
    queries = captured(f"/users/{world['author'].username}/")
    listed = the_query(queries, 'FROM "shortscience_summary"', "LIMIT", '"author_id" =')
    counted = the_query(queries, "COUNT(", 'FROM "shortscience_summary"', '"author_id" =')
    assert_reads(listed, "summary_named_author")
    # A count of one person's rows: either index led by the author will do.
    assert_reads(counted, "summary_named_author", AUTHOR_FK)


def test_the_users_list_reads_the_reputation_index(world):
    queries = captured("/users/")
    sql = the_query(queries, 'FROM "shortscience_user"', "EXISTS")
    assert_reads(sql, "user_reputation")
    assert_reads(sql, "summary_named_author", AUTHOR_FK)


def test_a_venue_year_reads_the_venue_index_and_counts_nothing(world):
    queries = captured(f"/venues/{world['venue'].key}/?year=2020")
    sql = the_query(queries, 'FROM "shortscience_paper"', "LIMIT")
    assert_reads(sql, "paper_venue_year_title")
    # Counts and years are stored (services/counts.py): the page reads no summary and no
    # aggregate over the venue's papers.
    assert not [q for q in queries if "shortscience_summary" in q or "COUNT(" in q], queries


def test_the_venues_list_reads_the_key_index_and_counts_nothing(world):
    queries = captured("/venues/")
    sql = the_query(queries, 'FROM "shortscience_venue"', "LIMIT")
    assert_reads(sql, "shortscience_venue_key", "sqlite_autoindex_shortscience_venue")
    assert not [q for q in queries if "shortscience_paper" in q or "COUNT(" in q], queries


@pytest.mark.parametrize(
    ("order", "index"),
    [
        ("recent", "summary_public_recent"),
        ("best", "summary_public_best"),
        ("popular", "summary_public_active"),
    ],
)
def test_api_summary_lists_read_an_index_with_no_nulls_last_sort(world, order, index):
    queries = captured(f"/api/v1/summaries?order={order}")
    sql = the_query(queries, 'FROM "shortscience_summary"', "LIMIT")
    assert "NULLS" not in sql
    assert_reads(sql, index)


def test_no_list_page_counts_every_summary(world):
    pages: list[Callable[[], list[str]]] = [
        lambda: captured("/"),
        lambda: captured("/?tab=best&page=3"),
        lambda: captured("/users/"),
        lambda: captured("/venues/"),
        lambda: captured(f"/venues/{world['venue'].key}/"),
    ]
    for queries in (page() for page in pages):
        assert not [sql for sql in queries if "COUNT(*)" in sql and "LIMIT" not in sql], queries


@pytest.mark.parametrize("stale_days", [180, 30])
def test_the_metadata_refresh_batch_seeks_into_the_due_index(world, settings, stale_days):
    settings.METADATA_REFRESH_STALE_DAYS = 180
    Paper.objects.bulk_create(
        Paper(title=f"key/{n}", metadata_source=Paper.PLACEHOLDER) for n in range(3)
    )
    Paper.objects.bulk_create(
        Paper(title=f"Known {n}", authors=["A."], year=2020) for n in range(3)
    )
    maintenance.analyse()
    with CaptureQueriesContext(connection) as ctx:
        batch = refresh.due(stale_days=stale_days, limit=100)
    assert batch  # the placeholders and the world's papers without authors
    queries = [q["sql"] for q in ctx.captured_queries]
    assert len(queries) == 3  # one per need, each a bounded range of the index
    for sql in queries:
        assert "LIMIT" in sql, sql
        assert_reads(sql, "paper_metadata_due")


def test_a_category_page_reads_its_index_newest_day_first(world):
    papers = list(Paper.objects.all()[:20])
    Paper.objects.filter(pk__in=[p.pk for p in papers]).update(categories=["cs.LG"])
    events.papers_written([p.pk for p in papers])
    assert PaperCategory.objects.filter(category="cs.LG").count() == 20
    maintenance.analyse()
    queries = captured("/new/cs.LG/")
    assert_reads(
        the_query(queries, 'FROM "shortscience_papercategory"', "LIMIT"), "paper_category_new"
    )
