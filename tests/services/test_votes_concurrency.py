"""Votes racing from the same person leave one row and a score equal to the stored votes."""

import threading

import pytest
from django.db import connection, connections

from shortscience.models import Summary, Vote
from shortscience.services import votes
from tests.factories import make_summary, make_user


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_by_one_person_never_make_two_rows():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's concurrent writers")
    summary, voter = make_summary(), make_user()
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def vote(value: int) -> None:
        try:
            barrier.wait()
            votes.cast(voter, summary.pk, value)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=(1 if i % 2 else -1,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = list(Vote.objects.filter(summary=summary).values_list("value", flat=True))
    assert len(rows) == 1
    assert Summary.objects.get(pk=summary.pk).score == rows[0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_by_many_people_all_count():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's concurrent writers")
    summary = make_summary()
    voters = [make_user() for _ in range(8)]
    barrier = threading.Barrier(len(voters))

    def vote(voter) -> None:
        try:
            barrier.wait()
            votes.cast(voter, summary.pk, 1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=(v,)) for v in voters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (
        Summary.objects.get(pk=summary.pk).score
        == 8
        == Vote.objects.filter(summary=summary).count()
    )
