"""Planner statistics: analyse() runs on either database and leaves statistics behind."""

import pytest
from django.core.management import call_command
from django.db import connection

from shortscience.services import maintenance
from tests.factories import make_summary

pytestmark = pytest.mark.django_db


def test_analyse_leaves_statistics_for_the_summary_indexes():
    make_summary()
    maintenance.analyse()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'shortscience_summary'")
            assert "summary_public_hot" in {row[0] for row in cursor.fetchall()}
        else:
            # pg_statistic is written in the transaction (empty tables have no rows in it).
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'shortscience_summary'")
            assert cursor.fetchone()[0] > 0


def test_the_analyse_command_says_it_refreshed_the_statistics(capsys):
    call_command("analyse")
    assert "planner statistics refreshed" in capsys.readouterr().out
