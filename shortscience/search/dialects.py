"""The one place SQL differs between databases: matching a parsed query against the index.

SQLite uses the FTS5 table `search_fts` (columns title, authors, identifiers, people, body) and
ranks with bm25; PostgreSQL uses the generated `search_vector` column (weights A title, B authors
and identifiers, C body, D people) and ranks with ts_rank. Both receive a match expression built
here from the parsed query's letter/digit tokens, always quoted and always passed as a bound
parameter, so nothing a person types reaches either engine's own query language.

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
# bm25 weights per FTS5 column (title, authors, identifiers, people, body): a title word counts
# most, as setweight A does on PostgreSQL.
BM25 = "bm25(search_fts, 10.0, 5.0, 5.0, 2.0, 1.0)"
SQLITE_COLUMN = {"title": "title", "author": "authors"}
POSTGRES_WEIGHT = {"title": "A", "author": "B"}
ORDER = {
    "relevance": "rank {rank_dir}, {t}.date DESC NULLS LAST, {t}.id DESC",
    "score": "{t}.score DESC, rank {rank_dir}, {t}.id DESC",
    "date": "{t}.date DESC NULLS LAST, {t}.id DESC",
}


@dataclass(frozen=True)
class Ranked:
    ids: list[int]
    total: int


def _where(queryset: QuerySet[SearchDocument]) -> tuple[str, list[Any]]:
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    sql, params = compiler.compile(query.where)
    return (sql or "1=1"), list(params)


class Dialect:
    rank_dir = "ASC"

    def match_sql(self, positive: list[Term], negative: list[Term]) -> tuple[str, str, str, Any]:
        """FROM fragment, condition and rank expression for the text part, and its parameter."""
        raise NotImplementedError

    def exclude(
        self, queryset: QuerySet[SearchDocument], negative: list[Term]
    ) -> QuerySet[SearchDocument]:
        """Documents without any of `negative` (used when a query has no positive words)."""
        raise NotImplementedError

    def ranked(
        self,
        queryset: QuerySet[SearchDocument],
        positive: list[Term],
        negative: list[Term],
        sort: str,
        limit: int,
        offset: int,
    ) -> Ranked:
        source, condition, rank, param = self.match_sql(positive, negative)
        where, params = _where(queryset)
        order = ORDER.get(sort, ORDER["relevance"]).format(rank_dir=self.rank_dir, t=TABLE)
        body = f"FROM {source} WHERE {condition} AND ({where})"
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(
                f"SELECT {TABLE}.id, {rank} AS rank {body} ORDER BY {order} LIMIT %s OFFSET %s",
                [param, *params, limit, offset],
            )
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT COUNT(*) {body}", [param, *params])
            total = int(cursor.fetchone()[0])
        return Ranked(ids=ids, total=total)


class SQLite(Dialect):
    rank_dir = "ASC"  # bm25: lower is better

    def expression(self, terms: list[Term], joiner: str) -> str:
        parts = []
        for term in terms:
            phrase = '"' + " ".join(term.tokens) + '"'
            column = SQLITE_COLUMN.get(term.field or "")
            parts.append(f"{column} : {phrase}" if column else phrase)
        return f" {joiner} ".join(parts)

    def match_sql(self, positive: list[Term], negative: list[Term]) -> tuple[str, str, str, Any]:
        expr = f"({self.expression(positive, 'AND')})"
        if negative:
            expr += f" NOT ({self.expression(negative, 'OR')})"
        source = f"search_fts JOIN {TABLE} ON {TABLE}.id = search_fts.rowid"
        return source, "search_fts MATCH %s", BM25, expr

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

    def match_sql(self, positive: list[Term], negative: list[Term]) -> tuple[str, str, str, Any]:
        expr = self.expression([*positive, *negative], "&")
        source = f"{TABLE}, to_tsquery('english', %s) AS query"
        return (
            source,
            f"{TABLE}.search_vector @@ query",
            f"ts_rank({TABLE}.search_vector, query)",
            expr,
        )

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
