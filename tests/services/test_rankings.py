"""Hotness, the ranked lists (hot, recent, best, popular), their periods and the field filter."""

import math
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from shortscience.models import Summary
from shortscience.services import rankings, votes
from tests.factories import make_paper, make_summary, make_user

pytestmark = pytest.mark.django_db


def test_more_votes_are_hotter_at_the_same_publication_time():
    now = timezone.now()
    assert rankings.hotness(10, now) > rankings.hotness(2, now) > rankings.hotness(0, now)


def test_a_newer_summary_is_hotter_at_equal_score():
    now = timezone.now()
    assert rankings.hotness(3, now) > rankings.hotness(3, now - timedelta(hours=1))


def test_a_negative_score_sinks_below_an_unvoted_summary():
    now = timezone.now()
    assert rankings.hotness(-10, now) < rankings.hotness(0, now)


def test_one_vote_is_worth_two_weeks_and_three_votes_four_weeks_of_freshness():
    now = timezone.now()
    assert rankings.hotness(1, now) == pytest.approx(
        rankings.hotness(0, now + timedelta(weeks=2)), abs=1e-6
    )
    assert rankings.hotness(3, now) == pytest.approx(
        rankings.hotness(0, now + timedelta(weeks=4)), abs=1e-6
    )


def test_a_net_down_vote_sinks_four_times_as_far_as_an_up_vote_lifts():
    now = timezone.now()
    assert rankings.hotness(-1, now) == pytest.approx(
        rankings.hotness(0, now - timedelta(weeks=8)), abs=1e-6
    )


def test_the_worked_example_of_docs_rankings():
    today = timezone.now()
    september = today - timedelta(days=91)
    # The case: a -2 summary from today no longer outranks a +4 one from September.
    assert rankings.hotness(4, september) > rankings.hotness(-2, today)
    # A +3 from three weeks ago is above today's unvoted one, which is above a +1 from 3 weeks.
    assert (
        rankings.hotness(3, today - timedelta(weeks=3))
        > rankings.hotness(0, today)
        > rankings.hotness(1, today - timedelta(weeks=3))
    )


def test_on_realistic_votes_hot_differs_from_recent_and_the_negative_one_sinks():
    """A year of this site: a summary every two weeks or so, a handful of votes each."""
    now = timezone.now()
    shape = [  # (days ago, net votes)
        (0, -2),
        (1, 0),
        (4, 1),
        (9, 5),
        (16, 0),
        (25, 2),
        (40, 8),
        (60, 1),
        (91, 4),
        (150, 12),
        (200, 0),
        (330, 3),
    ]
    made = {}
    for days, score in shape:
        summary = make_summary()
        Summary.objects.filter(pk=summary.pk).update(
            score=score, published_at=now - timedelta(days=days)
        )
        made[(days, score)] = summary.pk
    rankings.recompute_hotness()
    hot = [s.pk for s in rankings.ranked(rankings.Ranking("hot"))]
    recent = [s.pk for s in rankings.ranked(rankings.Ranking("recent"))]
    assert hot != recent
    assert recent[0] == made[(0, -2)]
    # Well-voted recent summaries come first; today's negative one is below every summary of
    # the last three months that readers liked, and below the unvoted ones of this month.
    assert hot[:3] == [made[(9, 5)], made[(4, 1)], made[(40, 8)]]
    sunk = hot.index(made[(0, -2)])
    for liked in [(4, 1), (9, 5), (25, 2), (40, 8), (60, 1), (91, 4), (1, 0), (16, 0)]:
        assert hot.index(made[liked]) < sunk


def test_publishing_and_voting_store_the_hotness():
    summary = make_summary()
    summary.refresh_from_db()
    assert summary.hotness == rankings.hotness(0, summary.published_at)
    votes.cast(make_user(), summary.pk, 1)
    for _ in range(9):
        votes.cast(make_user(), summary.pk, 1)
    summary.refresh_from_db()
    assert summary.score == 10
    # log2(1 + 10) units of two weeks
    assert summary.hotness == pytest.approx(
        rankings.hotness(0, summary.published_at) + math.log2(11)
    )


def test_the_hot_list_orders_by_stored_hotness():
    now = timezone.now()
    old_loved, fresh, sunk = make_summary(), make_summary(), make_summary()
    Summary.objects.filter(pk=old_loved.pk).update(score=10, published_at=now - timedelta(days=20))
    Summary.objects.filter(pk=fresh.pk).update(score=1, published_at=now)
    Summary.objects.filter(pk=sunk.pk).update(score=-5, published_at=now)
    rankings.recompute_hotness()
    ids = [s.pk for s in rankings.ranked(rankings.Ranking("hot"))]
    assert ids == [old_loved.pk, fresh.pk, sunk.pk]


def test_best_of_the_week_leaves_out_older_summaries():
    now = timezone.now()
    recent, old = make_summary(), make_summary()
    Summary.objects.filter(pk=recent.pk).update(score=1, published_at=now - timedelta(days=2))
    Summary.objects.filter(pk=old.pk).update(score=50, published_at=now - timedelta(days=40))
    week = [s.pk for s in rankings.ranked(rankings.Ranking("best", "week"))]
    year = [s.pk for s in rankings.ranked(rankings.Ranking("best", "year"))]
    assert week == [recent.pk]
    assert year == [old.pk, recent.pk]


def test_the_field_filter_keeps_papers_of_that_field():
    physics = make_summary(paper=make_paper(field="physics"))
    make_summary(paper=make_paper(field="cs"))
    ids = [s.pk for s in rankings.ranked(rankings.Ranking("recent", field="physics"))]
    assert ids == [physics.pk]


def test_private_hidden_and_draft_summaries_are_never_ranked():
    shown = make_summary()
    make_summary(private=True)
    make_summary(publish=False)
    hidden = make_summary()
    Summary.objects.filter(pk=hidden.pk).update(is_hidden=True, score=99)
    rankings.recompute_hotness()
    for order in rankings.ORDERS:
        assert [s.pk for s in rankings.ranked(rankings.Ranking(order))] == [shown.pk]


@pytest.mark.parametrize(
    ("tab", "period", "field", "expected"),
    [
        ("popular", None, None, rankings.Ranking("hot")),
        ("nonsense", "week", "biology", rankings.Ranking("hot")),
        ("best", "month", "stat", rankings.Ranking("best", "month", "stat")),
        ("recent", "month", None, rankings.Ranking("recent")),
    ],
)
def test_home_parameters_fall_back_to_defaults(tab, period, field, expected):
    assert rankings.parse_tab(tab, period, field) == expected


def test_the_command_recomputes_hotness_and_reputation(capsys):
    summary = make_summary()
    Summary.objects.filter(pk=summary.pk).update(hotness=0, score=10)
    call_command("recompute_rankings")
    summary.refresh_from_db()
    assert summary.hotness == rankings.hotness(10, summary.published_at)
    assert "hotness" in capsys.readouterr().out
