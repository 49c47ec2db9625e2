"""The pool (dialects.py): counts stop at POOL_SIZE and say so, a query with more matches is
ranked among its newest ones, and no query shape (a very common word, a phrase, a filter) makes
the database count, rank or position-check every match.

POOL_SIZE is lowered to a handful here so that "more than the pool" takes a few rows, not 10,000.
"""

import pytest
from django.db import connection

from shortscience import search
from shortscience.models import SearchDocument, Venue
from shortscience.search import dialects
from shortscience.search.query import parse
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool_of_three(monkeypatch):
    monkeypatch.setattr(dialects, "POOL_SIZE", 3)


def doc_ids(results):
    return [
        SearchDocument.objects.get(kind=hit.kind, object_id=(hit.summary or hit.paper).pk).pk
        for hit in results.hits
    ]


def test_more_matches_than_the_pool_are_counted_up_to_it_and_flagged(pool_of_three):
    for i in range(5):
        make_paper(f"Common walrus {i}")
    results = search.search("walrus", viewer=None, per_page=2)
    assert (results.total, results.total_capped, results.has_next) == (3, True, True)
    last = search.search("walrus", viewer=None, per_page=2, page=2)
    assert (len(last.hits), last.has_next) == (1, False)


def test_a_query_within_the_pool_is_counted_exactly(pool_of_three):
    for i in range(3):
        make_paper(f"Rare narwhal {i}")
    results = search.search("narwhal", viewer=None)
    assert (results.total, results.total_capped, len(results.hits)) == (3, False, 3)


def test_a_capped_search_is_ranked_among_its_newest_matches(pool_of_three):
    for i in range(5):
        make_paper(f"Walrus walrus walrus {i}" if i == 0 else f"A walrus {i}")
    newest = sorted(SearchDocument.objects.values_list("pk", flat=True))[-3:]
    for sort in search.SORTS:
        assert sorted(doc_ids(search.search("walrus", viewer=None, sort=sort))) == newest


def test_a_page_past_the_last_still_gives_the_count(pool_of_three):
    for i in range(2):
        make_paper(f"Lonely walrus {i}")
    results = search.search("walrus", viewer=None, per_page=2, page=5)
    assert (results.hits, results.total, results.total_capped) == ([], 2, False)


def test_filters_narrow_the_matches_before_the_pool_is_cut(pool_of_three):
    cvpr = Venue.objects.create(key="CVPR", name="CVPR")
    make_paper("Walrus seen at CVPR", venue=cvpr)
    make_paper("Walrus seen at CVPR again", venue=cvpr)
    for i in range(5):
        make_paper(f"Walrus elsewhere {i}")
    results = search.search("walrus venue:cvpr", viewer=None)
    assert (results.total, results.total_capped) == (2, False)
    assert {hit.paper.venue_id for hit in results.hits} == {cvpr.pk}


def test_what_a_reader_may_not_see_takes_no_place_in_the_pool(pool_of_three):
    writer = make_user()
    for i in range(3):
        make_paper(f"Public walrus {i}")
    for _ in range(3):
        make_summary(author=writer, markdown="A private walrus note.", private=True)
    stranger = search.search("walrus", viewer=make_user())
    assert (stranger.total, stranger.total_capped) == (3, False)
    assert {hit.kind for hit in stranger.hits} == {"paper"}
    assert search.search("walrus", viewer=writer).total_capped


def test_a_phrase_is_found_however_many_documents_hold_its_words_apart(pool_of_three):
    for i in range(6):
        make_paper(f"Detection of an object {i}")
    wanted = make_paper("Object detection, at last")
    make_paper("Object detection, the newest")
    results = search.search('"object detection"', viewer=None)
    assert (results.total, results.total_capped) == (2, False)
    assert wanted.pk in {hit.paper.pk for hit in results.hits}


def test_a_very_common_word_sorts_the_pool_by_date_and_by_score(pool_of_three):
    papers = [make_paper(f"Walrus {i}") for i in range(5)]
    summaries = [make_summary(paper=papers[i], markdown="walrus notes") for i in range(3)]
    for points, summary in zip((5, 9, 1), summaries, strict=True):
        type(summary).objects.filter(pk=summary.pk).update(score=points)
    search.refresh_scores([s.pk for s in summaries])
    by_score = search.search("walrus", viewer=None, sort="score").hits
    assert [hit.score for hit in by_score] == [9, 5, 1]
    by_date = search.search("walrus", viewer=None, sort="date").hits
    dates = [hit.date for hit in by_date if hit.date is not None]
    assert len(dates) == len(by_date)
    assert dates == sorted(dates, reverse=True)


def test_filters_alone_are_counted_up_to_the_pool(pool_of_three):
    cvpr = Venue.objects.create(key="CVPR", name="CVPR")
    for i in range(5):
        make_paper(f"Paper {i}", venue=cvpr)
    results = search.search("venue:cvpr", viewer=None)
    assert (results.total, results.total_capped, len(results.hits)) == (3, True, 3)


def test_a_capped_search_costs_the_same_queries_as_a_small_one(
    pool_of_three, django_assert_num_queries
):
    for i in range(2):
        make_paper(f"Narwhal {i}")
    for i in range(6):
        make_paper(f"Walrus {i}")
    with django_assert_num_queries(3):  # the page with its count; documents; papers
        search.search("narwhal", viewer=None)
    with django_assert_num_queries(3):
        search.search("walrus", viewer=None)


def pool_plan(query: str, outer: str = "SELECT id FROM pool") -> str:
    """The database's plan for the pool statement of `query` (filters left out)."""
    parsed = parse(query)
    dialect = dialects.for_database()
    sql, params = dialect.pool_sql(
        list(parsed.positive), list(parsed.negative), "1=1", [], 10_001, True, False
    )
    explain = "EXPLAIN QUERY PLAN" if connection.vendor == "sqlite" else "EXPLAIN (VERBOSE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{explain} {sql} {outer}", params)
        rows = cursor.fetchall()
    return "\n".join(str(row[-1]) for row in rows)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5's plan")
def test_on_sqlite_the_text_match_drives_and_streams_newest_first():
    plan = pool_plan('walrus "object detection"')
    steps = [line for line in plan.splitlines() if "SCAN" in line or "SEARCH" in line]
    assert steps[0].startswith("SCAN search_fts VIRTUAL TABLE")
    assert "USING INTEGER PRIMARY KEY" in steps[1]
    # The pool's newest-first order comes from FTS5 itself: no sort of every match.
    assert "TEMP B-TREE" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_on_postgresql_the_pool_is_limited_before_anything_is_ranked():
    plan = pool_plan('walrus "object detection"', "SELECT id FROM pool ORDER BY rank")
    lines = plan.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "CTE hits")
    depth = len(lines[start]) - len(lines[start].lstrip())
    pool = []
    for line in lines[start + 1 :]:
        if len(line) - len(line.lstrip()) <= depth:
            break
        pool.append(line)
    assert pool[0].strip().startswith("->  Limit")
    assert "search_vector @@" in "\n".join(pool)
    # ts_rank reads only the pooled rows, above the Limit.
    assert "ts_rank" not in "\n".join(pool) and "ts_rank" in plan
