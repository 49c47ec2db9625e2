"""The one place SQL differs between databases: matching a parsed query against the index.

SQLite uses the FTS5 table `search_fts` (columns title, authors, identifiers, people, body) and
ranks with bm25; PostgreSQL uses the generated `search_vector` column (weights A title, B authors
and identifiers, C body, D people) and ranks with ts_rank. Both receive a match expression built
here from the parsed query's letter/digit tokens, always quoted and always passed as a bound
parameter, so nothing a person types reaches either engine's own query language.

A search costs one statement whatever the number of matches (docs/search.md, "Speed"): it takes
a *pool* of at most POOL_SIZE matches, newest documents first, in the order the engine reads them
cheaply (FTS5 streams rowids backwards; PostgreSQL walks the primary key or its GIN bitmap,
whichever its statistics favour), then ranks, sorts, counts and pages only that pool. A query
with no more matches than POOL_SIZE is therefore ranked and counted exactly; a query with more
says so (`Ranked.capped`) and is ranked among the newest POOL_SIZE of them, so neither the count,
nor the rank, nor a phrase's position check ever has to visit every match.

Everything else (privacy, fields such as venue: and year:, paging) is an ordinary ORM filter,
compiled once and spliced into the dialect's statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from shortscience.models import SearchDocument
from shortscience.search.query import Term

TABLE = SearchDocument._meta.db_table
# Matches counted, ranked and paged at most: the API's deepest page (200 pages of 50) ends here.
POOL_SIZE = 10_000
# bm25 weights per FTS5 column (title, authors, identifiers, people, body): a title word counts
# most, as setweight A does on PostgreSQL.
BM25 = "bm25(search_fts, 10.0, 5.0, 5.0, 2.0, 1.0)"
SQLITE_COLUMN = {"title": "title", "author": "authors"}
POSTGRES_WEIGHT = {"title": "A", "author": "B"}
# Orders within the pool (columns id, date, score, rank); rank is only computed when named.
ORDER = {
    "relevance": "rank {rank_dir}, date DESC NULLS LAST, id DESC",
    "score": "score DESC, rank {rank_dir}, id DESC",
    "date": "date DESC NULLS LAST, id DESC",
}


@dataclass(frozen=True)
class Ranked:
    ids: list[int]
    total: int  # matches, counted up to the pool size
    capped: bool  # more matched than the pool holds: `total` is a lower bound


def _where(queryset: QuerySet[SearchDocument]) -> tuple[str, list[Any]]:
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    sql, params = compiler.compile(query.where)
    return (sql or "1=1"), list(params)


def _page(rows: list[tuple[Any, ...]]) -> tuple[list[int], int]:
    """Ids of the page and the pool's size from `SELECT id, count(*) OVER ()` rows."""
    return [int(row[0]) for row in rows], (int(rows[0][1]) if rows else 0)


class Dialect:
    rank_dir = "ASC"

    def ranked(
        self,
        queryset: QuerySet[SearchDocument],
        positive: list[Term],
        negative: list[Term],
        *,
        sort: str,
        limit: int,
        offset: int,
        filter_first: bool = False,
    ) -> Ranked:
        """One page of the matches of `positive` without `negative` among `queryset`, in
        `sort` order. `filter_first` says the filters alone select a handful of rows (user:),
        so the database should start from them rather than from the text match."""
        pool_size = POOL_SIZE
        order = ORDER.get(sort, ORDER["relevance"]).format(rank_dir=self.rank_dir)
        where, params = _where(queryset)
        sql, sql_params = self.pool_sql(
            positive, negative, where, params, pool_size + 1, "rank" in order, filter_first
        )
        page_sql = (
            f"{sql} SELECT id, count(*) OVER () FROM pool ORDER BY {order} LIMIT %s OFFSET %s"  # noqa: S608 - our constants and ORM SQL; values are bound
        )
        reachable = max(0, min(limit, pool_size - offset))
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(page_sql, [*sql_params, reachable, offset])
            ids, size = _page(cursor.fetchall())
            if not ids and offset:
                # Past the last page the window count has no row to ride on: count on its own.
                counting = f"{sql} SELECT count(*) FROM pool"  # noqa: S608 - our constants and ORM SQL; values are bound
                cursor.execute(counting, sql_params)
                size = int(cursor.fetchone()[0])
        return Ranked(ids=ids, total=min(size, pool_size), capped=size > pool_size)

    def match(self, positive: list[Term], negative: list[Term]) -> str:
        """The engine's match expression (a bound parameter, never spliced into SQL)."""
        raise NotImplementedError

    def pool_sql(
        self,
        positive: list[Term],
        negative: list[Term],
        where: str,
        params: list[Any],
        size: int,
        with_rank: bool,
        filter_first: bool,
    ) -> tuple[str, list[Any]]:
        """`WITH ... pool(id, date, score, rank) AS (...)`: at most `size` matches, newest
        first, and the parameters of that text."""
        raise NotImplementedError

    def exclude(
        self, queryset: QuerySet[SearchDocument], negative: list[Term]
    ) -> QuerySet[SearchDocument]:
        """Documents without any of `negative` (used when a query has no positive words)."""
        raise NotImplementedError


class SQLite(Dialect):
    rank_dir = "ASC"  # bm25: lower is better

    def expression(self, terms: list[Term], joiner: str) -> str:
        parts = []
        for term in terms:
            phrase = '"' + " ".join(term.tokens) + '"'
            column = SQLITE_COLUMN.get(term.field or "")
            parts.append(f"{column} : {phrase}" if column else phrase)
        return f" {joiner} ".join(parts)

    def match(self, positive: list[Term], negative: list[Term]) -> str:
        expr = f"({self.expression(positive, 'AND')})"
        if negative:
            expr += f" NOT ({self.expression(negative, 'OR')})"
        return expr

    def pool_sql(
        self,
        positive: list[Term],
        negative: list[Term],
        where: str,
        params: list[Any],
        size: int,
        with_rank: bool,
        filter_first: bool,
    ) -> tuple[str, list[Any]]:
        expr = self.match(positive, negative)
        # CROSS JOIN makes FTS5 the outer loop: left to itself the planner starts from any index
        # a filter names (venue:), and then runs the full-text query once per row of it. Only a
        # filter as narrow as user: is cheaper that way round.
        join = "JOIN" if filter_first else "CROSS JOIN"
        # FTS5 streams rowids backwards without sorting, and bm25 is only computed for the
        # rows that reach the LIMIT: a common word costs `size` rows, not every match.
        rank = BM25 if with_rank else "0"
        sql = (
            f"WITH pool AS MATERIALIZED (SELECT {TABLE}.id AS id, {TABLE}.date AS date, "  # noqa: S608 - our constants and ORM SQL; values are bound
            f"{TABLE}.score AS score, {rank} AS rank "
            f"FROM search_fts {join} {TABLE} ON {TABLE}.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s AND ({where}) "
            f"ORDER BY search_fts.rowid DESC LIMIT {int(size)})"
        )
        return sql, [expr, *params]

    def exclude(
        self, queryset: QuerySet[SearchDocument], negative: list[Term]
    ) -> QuerySet[SearchDocument]:
        unwanted = RawSQL(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH %s",
            [self.expression(negative, "OR")],
        )
        return queryset.exclude(id__in=unwanted)


class PostgreSQL(Dialect):
    rank_dir = "DESC"  # ts_rank: higher is better

    def expression(self, terms: list[Term], joiner: str) -> str:
        parts = []
        for term in terms:
            weight = POSTGRES_WEIGHT.get(term.field or "", "")
            suffix = f":{weight}" if weight else ""
            lexemes = " <-> ".join(f"'{tok}'{suffix}" for tok in term.tokens)
            parts.append(f"!({lexemes})" if term.negated else f"({lexemes})")
        return f" {joiner} ".join(parts)

    def match(self, positive: list[Term], negative: list[Term]) -> str:
        return self.expression([*positive, *negative], "&")

    def pool_sql(
        self,
        positive: list[Term],
        negative: list[Term],
        where: str,
        params: list[Any],
        size: int,
        with_rank: bool,
        filter_first: bool,
    ) -> tuple[str, list[Any]]:
        expr = self.match(positive, negative)
        # The pool holds ids only; ts_rank reads each pooled row's tsvector again afterwards,
        # because in the pool's own select list it would be computed for every match before
        # the LIMIT (PostgreSQL does not postpone a cheap-looking function past a sort).
        # to_tsquery stays in the WHERE clause: there it is evaluated once and the GIN index
        # can serve it, which a tsquery taken from a CTE or a join would not allow.
        hits = (
            f"WITH hits AS MATERIALIZED (SELECT {TABLE}.id, {TABLE}.date, {TABLE}.score "  # noqa: S608 - our constants and ORM SQL; values are bound
            f"FROM {TABLE} WHERE {TABLE}.search_vector @@ to_tsquery('english', %s) "
            f"AND ({where}) ORDER BY {TABLE}.id DESC LIMIT {int(size)})"
        )
        if not with_rank:
            unranked = f"{hits}, pool AS (SELECT *, 0 AS rank FROM hits)"  # noqa: S608 - our constants and ORM SQL; values are bound
            return unranked, [expr, *params]
        sql = (
            f"{hits}, pool AS (SELECT hits.*, "  # noqa: S608 - our constants and ORM SQL; values are bound
            "ts_rank(d.search_vector, to_tsquery('english', %s)) AS rank "
            f"FROM hits JOIN {TABLE} AS d ON d.id = hits.id)"
        )
        return sql, [expr, *params, expr]

    def exclude(
        self, queryset: QuerySet[SearchDocument], negative: list[Term]
    ) -> QuerySet[SearchDocument]:
        unwanted = RawSQL(
            "search_vector @@ to_tsquery('english', %s)",
            [self.expression([Term(t.tokens, t.field) for t in negative], "|")],
            output_field=BooleanField(),
        )
        return queryset.alias(unwanted=unwanted).exclude(unwanted=True)


def for_database(alias: str = "default") -> Dialect:
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        return PostgreSQL()
    if vendor == "sqlite":
        return SQLite()
    raise NotImplementedError(f"Full-text search supports SQLite and PostgreSQL, not {vendor}.")
