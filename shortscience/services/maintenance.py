"""Keeping the query planner informed: `analyse()` refreshes the statistics both databases use
to choose an index.

SQLite keeps no statistics until ANALYZE runs; without them it guesses that an index on two
columns beats one on a single column, whatever their selectivity. PostgreSQL's autovacuum
analyses in the background, but only after enough rows changed, so a bulk load leaves it
planning with the statistics of an empty table for a while. Hence: a migration runs this once,
`services/events.bulk_loaded` after every bulk load, a huey task nightly, and
`manage.py analyse` on demand.
"""

from __future__ import annotations

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shortscience.models import Comment, Paper, Summary, User, Venue, Vote


def analyse(using: str = "default") -> None:
    """Refresh the planner statistics of the site's tables (whole database on SQLite)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for statement in statements(connection):
            cursor.execute(statement)


def statements(connection: BaseDatabaseWrapper) -> list[str]:
    if connection.vendor == "sqlite":
        # A full ANALYZE, not `PRAGMA optimize`: optimize only analyses tables whose queries
        # since the connection opened would have benefited, and a fresh connection has run none.
        # Unsampled (analysis_limit=0): sampled 1,000 rows an index, the statistics of the 200k
        # paper shape counted 138k rows in a 100k-row partial index and 56k in the whole table,
        # and the home page sorted every summary (0.8 s) instead of reading its index. A full
        # pass over that 3.4 GB database took 0.7 s.
        return ["PRAGMA analysis_limit=0", "ANALYZE"]
    if connection.vendor == "postgresql":
        models = (Comment, Paper, Summary, User, Venue, Vote)
        tables = [model._meta.db_table for model in models]
        # The tables the listing pages read; a database-wide ANALYZE would also do the rest.
        return [f'ANALYZE "{table}"' for table in tables]
    return []


@db_periodic_task(crontab(minute="41", hour="4"))
def analyse_nightly() -> None:
    """Statistics drift as rows arrive; one pass a night keeps the plans right."""
    analyse()
