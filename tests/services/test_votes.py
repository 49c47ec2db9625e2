import pytest

from shortscience.models import Vote
from shortscience.services import votes
from shortscience.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db


def test_an_upvote_counts_and_a_second_vote_replaces_the_first():
    summary, voter = make_summary(), make_user()
    assert votes.cast(voter, summary.pk, 1).score == 1
    result = votes.cast(voter, summary.pk, -1)
    assert result.score == -1
    assert result.my_vote == -1
    assert Vote.objects.filter(summary=summary).count() == 1


def test_retracting_removes_the_vote():
    summary, voter = make_summary(), make_user()
    votes.cast(voter, summary.pk, 1)
    assert votes.cast(voter, summary.pk, 0).score == 0
    assert not Vote.objects.filter(summary=summary).exists()


def test_score_is_the_net_of_all_votes():
    summary = make_summary()
    for value in (1, 1, 1, -1):
        votes.cast(make_user(), summary.pk, value)
    summary.refresh_from_db()
    assert (
        summary.score
        == 2
        == sum(Vote.objects.filter(summary=summary).values_list("value", flat=True))
    )


def test_nobody_votes_on_their_own_summary():
    summary = make_summary()
    with pytest.raises(PermissionDenied):
        votes.cast(summary.author, summary.pk, 1)


def test_a_vote_on_a_missing_or_private_summary_is_not_found():
    with pytest.raises(NotFound):
        votes.cast(make_user(), 999_999, 1)
    private = make_summary(private=True)
    with pytest.raises(NotFound):
        votes.cast(make_user(), private.pk, 1)


def test_the_database_refuses_a_second_row_for_the_same_person():
    from django.db import IntegrityError, transaction

    summary, voter = make_summary(), make_user()
    votes.cast(voter, summary.pk, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(summary=summary, user=voter, value=1)


def test_a_vote_value_other_than_up_down_retract_is_refused():
    with pytest.raises(InvalidInput):
        votes.parse_value("sideways")
    assert votes.parse_value("retract") == 0
