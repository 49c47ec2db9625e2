"""Reputation: mean net votes older than two days per public named summary, stored."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shortscience.models import Summary, User, Vote
from shortscience.services import rankings, votes
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def age(summary: Summary, days: float = 3) -> None:
    Vote.objects.filter(summary=summary).update(updated_at=timezone.now() - timedelta(days=days))


def stored(user: User) -> float:
    return User.objects.values_list("reputation", flat=True).get(pk=user.pk)


def test_votes_younger_than_two_days_do_not_count():
    author = make_user()
    summary = make_summary(author=author)
    votes.cast(make_user(), summary.pk, 1)
    assert stored(author) == 0.0
    age(summary, days=1)
    rankings.refresh_reputation()
    assert stored(author) == 0.0
    age(summary, days=2.1)
    rankings.refresh_reputation()
    assert stored(author) == 1.0


def test_reputation_is_the_mean_over_named_public_summaries():
    author = make_user()
    loved, ignored = make_summary(author=author), make_summary(author=author)
    for _ in range(3):
        votes.cast(make_user(), loved.pk, 1)
    votes.cast(make_user(), ignored.pk, -1)
    age(loved)
    age(ignored)
    rankings.refresh_reputation()
    assert stored(author) == 1.0  # (3 - 1) / 2


def test_anonymous_and_private_summaries_never_count():
    author = make_user()
    anonymous = make_summary(author=author, anonymous=True)
    votes.cast(make_user(), anonymous.pk, 1)
    private = make_summary(author=author, private=True)
    Vote.objects.create(summary=private, user=make_user(), value=1)
    age(anonymous)
    age(private)
    rankings.refresh_reputation()
    assert stored(author) == 0.0
    assert rankings.reputation_of(author.pk) == 0.0


def test_a_vote_recomputes_the_authors_reputation():
    author = make_user()
    summary = make_summary(author=author)
    voter = make_user()
    votes.cast(voter, summary.pk, 1)
    age(summary)
    votes.cast(make_user(), summary.pk, 1)  # a fresh vote: recomputes, counts the aged one only
    assert stored(author) == 1.0
    votes.cast(voter, summary.pk, 0)  # retracting an aged vote takes it away at once
    assert stored(author) == 0.0


def test_hiding_a_summary_takes_it_out_of_reputation():
    author = make_user()
    summary = make_summary(author=author)
    votes.cast(make_user(), summary.pk, 1)
    age(summary)
    rankings.refresh_reputation()
    assert stored(author) == 1.0
    Summary.objects.filter(pk=summary.pk).update(is_hidden=True)
    rankings.on_summaries_changed([summary.pk])
    assert stored(author) == 0.0


def test_the_daily_task_refreshes_everybody():
    author = make_user()
    summary = make_summary(author=author)
    votes.cast(make_user(), summary.pk, -1)
    age(summary)
    rankings.refresh_reputation_daily.call_local()
    assert stored(author) == -1.0
